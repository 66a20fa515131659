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

// Next bundles server code into more than one layer (pages, server actions), so the process-wide vault
// may throw a VaultError from another copy of this module; a registered symbol keeps `instanceof` true.
const brand = Symbol.for("latchkey.VaultError");

export class VaultError extends Error {
  readonly [brand] = true;

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }

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
