// Typed errors of OAuth connections. `code` is what the error page and the API name; `message` says what
// happened in words a person can act on, and never contains a token or a client secret.
export const oauthErrorStatus = {
  unknown_provider: 404,
  unknown_field: 404,
  not_required: 400,
  not_found: 404,
  forbidden: 403,
  invalid_return_to: 400,
  client_not_configured: 409,
  state_missing: 400,
  state_invalid: 400,
  state_expired: 400,
  state_session_mismatch: 403,
  access_denied: 400,
  provider_error: 502,
  provider_unavailable: 503,
  token_exchange_failed: 502,
} as const;

export type OAuthErrorCode = keyof typeof oauthErrorStatus;

// The process-wide OAuth service (lib/oauth/index.ts) may be built by another of Next's bundle layers
// (instrumentation starts it), so its errors can come from another copy of this module; a registered
// symbol keeps `instanceof` true across copies, as for VaultError.
const brand = Symbol.for("latchkey.OAuthError");

export class OAuthError extends Error {
  readonly [brand] = true;

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }

  constructor(
    readonly code: OAuthErrorCode,
    message: string,
    options?: { cause?: unknown; retryPath?: string },
  ) {
    super(message, options);
    this.name = "OAuthError";
    this.retryPath = options?.retryPath ?? null;
  }

  /** Where "Try again" starts the same flow over, when the failing step knows it. */
  retryPath: string | null;

  get status(): number {
    return oauthErrorStatus[this.code];
  }
}
