// The vault's typed errors. `code` is what APIs put in `{ error: { code, message } }`; messages say
// what is wrong and never contain a value.
import { DomainError } from "@/lib/core/domain-error";

export type VaultErrorCode =
  | "invalid_secret_name"
  | "secret_value_too_large"
  | "secret_value_empty"
  | "secret_not_set"
  | "secret_integrity_failure"
  | "vault_unavailable";

const statusByCode: Record<VaultErrorCode, number> = {
  invalid_secret_name: 400,
  secret_value_too_large: 413,
  secret_value_empty: 400,
  secret_not_set: 404,
  secret_integrity_failure: 500,
  vault_unavailable: 503,
};

/** A refusal or failure of the vault; `instanceof` holds across Next's bundle layers (DomainError). */
export class VaultError extends DomainError<VaultErrorCode> {
  static override readonly kind = "VaultError";

  constructor(code: VaultErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }

  get status(): number {
    return statusByCode[this.code];
  }
}
