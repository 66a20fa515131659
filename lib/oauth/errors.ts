// Typed errors of OAuth connections. `code` is what the error page and the API name; `message` says what
// happened in words a person can act on, and never contains a token or a client secret.
import { DomainError } from "@/lib/core/domain-error";

export const oauthErrorStatus = {
  unknown_provider: 404,
  unknown_field: 404,
  not_required: 400,
  invalid_request: 400,
  not_found: 404,
  forbidden: 403,
  invalid_return_to: 400,
  too_many_pending_flows: 429,
  client_not_configured: 409,
  endpoint_param_missing: 409,
  endpoint_param_invalid: 409,
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

/**
 * A refusal or failure of an OAuth flow or connection. The process-wide OAuth service may be built by
 * another of Next's bundle layers (instrumentation starts it); DomainError keeps `instanceof` true.
 */
export class OAuthError extends DomainError<OAuthErrorCode> {
  static override readonly kind = "OAuthError";

  constructor(code: OAuthErrorCode, message: string, options?: { cause?: unknown; retryPath?: string }) {
    super(code, message, options);
    this.retryPath = options?.retryPath ?? null;
  }

  /** Where "Try again" starts the same flow over, when the failing step knows it. */
  retryPath: string | null;

  get status(): number {
    return oauthErrorStatus[this.code];
  }
}
