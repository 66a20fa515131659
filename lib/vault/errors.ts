// The vault's typed errors. `code` is what APIs put in `{ error: { code, message } }`; messages say
// what is wrong and never contain a value.
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

export class VaultError extends Error {
  constructor(
    readonly code: VaultErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "VaultError";
  }

  get status(): number {
    return statusByCode[this.code];
  }
}
