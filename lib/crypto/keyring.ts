// The keyring contract shared by the local and AWS KMS key-encryption-key (KEK) backends. The vault only
// ever sees wrapped data keys plus the id of the KEK that wrapped them, so rotation can re-wrap DEKs
// without touching the values they encrypt.
//
// Failure contract: "cannot reach or cannot use the key" is KeyringUnavailableError (retryable, the
// vault is unavailable); "the wrapped key or its context does not authenticate" is CryptoError.

// Bound into every wrap; unwrap must present the same pairs. Keys are sorted before encoding.
export type EncryptionContext = Record<string, string>;

export interface DataKey {
  plaintext: Buffer; // 32 bytes; the caller owns it and should zero it when done
  wrapped: Buffer;
  kekId: string;
}

export interface KekInfo {
  id: string;
  current: boolean;
  retired: boolean;
  createdAt?: string;
}

export interface Keyring {
  readonly kind: "local" | "aws-kms";
  currentKekId(): string;
  generateDataKey(context: EncryptionContext): Promise<DataKey>;
  unwrapDataKey(wrapped: Buffer, kekId: string, context: EncryptionContext): Promise<Buffer>;
  // Re-wraps to the current KEK; the plaintext DEK never leaves the keyring.
  rewrapDataKey(wrapped: Buffer, kekId: string, context: EncryptionContext): Promise<{ wrapped: Buffer; kekId: string }>;
  listKeks(): Promise<KekInfo[]>;
}

export const DATA_KEY_BYTES = 32;

// Sorted pairs make the encoding independent of object key order, which callers do not control.
export function canonicalContext(context: EncryptionContext): Array<[string, string]> {
  return Object.keys(context)
    .sort()
    .map((key) => {
      const value = context[key];
      if (typeof value !== "string") throw new TypeError(`encryption context "${key}" must be a string`);
      return [key, value];
    });
}
