// Typed failures of the crypto layer. Callers branch on `code`, not on message text: `decrypt_failed`
// means the stored bytes do not authenticate (tampered, moved to another row, wrong key) and must never
// be shown; `vault_unavailable` means the key material could not be reached and the request may be retried.

export type CryptoErrorCode = "decrypt_failed" | "vault_unavailable";

export class CryptoError extends Error {
  readonly code = "decrypt_failed" as const;

  constructor(message = "decryption failed", options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CryptoError";
  }
}

export class KeyringUnavailableError extends Error {
  readonly code = "vault_unavailable" as const;

  // The message names what failed (which keyring, which KEK, which operation); it must never carry key bytes.
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KeyringUnavailableError";
  }
}
