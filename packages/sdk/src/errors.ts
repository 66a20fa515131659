// Typed errors for extension code: one class per error code the runtime API returns, so an extension
// can `catch (e) { if (e instanceof SecretWriteForbiddenError) … }` instead of comparing strings.
// Messages come from the server and never contain a secret value.

/** Base of every SDK error: the API's error `code`, its message, the HTTP status and any extra fields. */
export class LatchkeyError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** HTTP status, or 0 when no response arrived (network error, timeout). */
    readonly status: number,
    /** Extra fields the server sent beside code and message. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The token is missing, expired, or not a valid Latchkey runtime token (401). */
export class InvalidTokenError extends LatchkeyError {}
/** The token lacks the scope this call needs (403). */
export class InsufficientScopeError extends LatchkeyError {}
/** The token's installation, extension, org or user does not line up (403). */
export class InstallationAccessDeniedError extends LatchkeyError {}
/** A user.* secret was asked for with a token minted without a user (403). */
export class UserContextRequiredError extends LatchkeyError {}
/** The name is not declared in the extension's manifest (403). */
export class SecretNotDeclaredError extends LatchkeyError {}
/** The extension may not write this secret: a partner credential, or write_mode='user' (403). */
export class SecretWriteForbiddenError extends LatchkeyError {}
/** The value is larger than the secret's max_bytes (413). */
export class SecretValueTooLargeError extends LatchkeyError {}
/** The request itself is malformed: bad reference, ambiguous bare name, bad body (400/413/415). */
export class InvalidRequestError extends LatchkeyError {}
/** The extension does not declare this OAuth provider or scope (403). */
export class OAuthNotDeclaredError extends LatchkeyError {}
/** The vault or its KMS is down; Latchkey failed closed (503). Retried automatically before surfacing. */
export class VaultUnavailableError extends LatchkeyError {}
/** The request did not complete (network error or the 5 s timeout). */
export class LatchkeyNetworkError extends LatchkeyError {}

/** The user must (re)connect the OAuth account: send them to `connectUrl` (409). */
export class NeedsReauthorizationError extends LatchkeyError {
  get connectUrl(): string | null {
    return typeof this.details.connect_url === "string" ? this.details.connect_url : null;
  }
  get missingScopes(): string[] {
    return Array.isArray(this.details.missing_scopes) ? this.details.missing_scopes.filter((s): s is string => typeof s === "string") : [];
  }
}

type ErrorClass = new (code: string, message: string, status: number, details?: Record<string, unknown>) => LatchkeyError;

const classes: Record<string, ErrorClass> = {
  invalid_token: InvalidTokenError,
  insufficient_scope: InsufficientScopeError,
  installation_access_denied: InstallationAccessDeniedError,
  user_context_required: UserContextRequiredError,
  secret_not_declared: SecretNotDeclaredError,
  secret_write_forbidden: SecretWriteForbiddenError,
  secret_value_too_large: SecretValueTooLargeError,
  secret_value_empty: InvalidRequestError,
  invalid_secret_ref: InvalidRequestError,
  secret_ref_ambiguous: InvalidRequestError,
  invalid_request: InvalidRequestError,
  payload_too_large: InvalidRequestError,
  unsupported_media_type: InvalidRequestError,
  oauth_provider_not_declared: OAuthNotDeclaredError,
  oauth_scope_not_declared: OAuthNotDeclaredError,
  needs_reauthorization: NeedsReauthorizationError,
  vault_unavailable: VaultUnavailableError,
};

/** Builds the typed error for an API error body. */
export function errorFor(status: number, body: unknown): LatchkeyError {
  const error = body && typeof body === "object" && "error" in body ? (body as { error: unknown }).error : null;
  if (!error || typeof error !== "object") return new LatchkeyError("http_error", `Latchkey answered HTTP ${status}.`, status);
  const { code, message, ...details } = error as Record<string, unknown>;
  const codeText = typeof code === "string" ? code : "http_error";
  const Class = classes[codeText] ?? LatchkeyError;
  return new Class(codeText, typeof message === "string" ? message : `Latchkey answered HTTP ${status}.`, status, details);
}
