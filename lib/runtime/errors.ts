// The runtime API's typed errors. `code` is the stable identifier extensions (and the SDK's error
// classes) branch on; `status` is the HTTP status it is served with; messages never contain a value.
import { DomainError } from "@/lib/core/domain-error";

export const runtimeErrorStatus = {
  invalid_token: 401,
  insufficient_scope: 403,
  installation_access_denied: 403,
  user_context_required: 403,
  secret_not_declared: 403,
  secret_write_forbidden: 403,
  invalid_secret_ref: 400,
  secret_ref_ambiguous: 400,
  invalid_request: 400,
  secret_value_empty: 400,
  secret_not_set: 404,
  not_found: 404,
  method_not_allowed: 405,
  needs_reauthorization: 409,
  oauth_not_connected: 404,
  oauth_provider_unavailable: 503,
  oauth_provider_not_declared: 403,
  oauth_scope_not_declared: 403,
  payload_too_large: 413,
  secret_value_too_large: 413,
  unsupported_media_type: 415,
  installation_not_ready: 409,
  secret_integrity_failure: 500,
  internal_error: 500,
  vault_unavailable: 503,
} as const;

export type RuntimeErrorCode = keyof typeof runtimeErrorStatus;

/** A refusal of the runtime API, served as `{ error: { code, message, request_id, ...extra } }`. */
export class RuntimeError extends DomainError<RuntimeErrorCode> {
  static override readonly kind = "RuntimeError";

  constructor(
    code: RuntimeErrorCode,
    message: string,
    /** Extra machine-readable fields served beside code and message (e.g. connect_url). */
    readonly extra: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }

  get status(): number {
    return runtimeErrorStatus[this.code];
  }

  override publicFields(): Record<string, unknown> {
    return this.extra;
  }
}
