// The crypto layer's public surface: envelope sealing, the plaintext holder, the DEK cache and the
// keyring backends, plus the one factory that turns validated configuration into a keyring.
import "server-only";
import { AwsKmsKeyring } from "@/lib/crypto/aws-kms-keyring";
import { LocalKeyring, createLocalKeyringFromEnv, createLocalKeyringFromFile } from "@/lib/crypto/local-keyring";

export { AwsKmsKeyring, type AwsKmsKeyringConfig } from "@/lib/crypto/aws-kms-keyring";
export { DekCache, type DekCacheOptions, type DekCacheStats } from "@/lib/crypto/cache";
export { CryptoError, KeyringUnavailableError, type CryptoErrorCode } from "@/lib/crypto/errors";
export { DATA_KEY_BYTES, canonicalContext, type DataKey, type EncryptionContext, type KekInfo, type Keyring } from "@/lib/crypto/keyring";
export { LocalKeyring, createLocalKeyringFromEnv, createLocalKeyringFromFile, localKekId } from "@/lib/crypto/local-keyring";
export { SEAL_FORMAT_VERSION, encodeAad, open, seal, type ValueAad, type ValueScope } from "@/lib/crypto/seal";
export { SecretValue } from "@/lib/crypto/secret-value";

export type KeyringConfig =
  | { kind: "local"; masterKey?: string; keyFile: string }
  | { kind: "aws-kms"; keyId: string; region: string; endpoint?: string; maxAttempts?: number };

// A set masterKey (LATCHKEY_MASTER_KEY) wins over the key file; the key file is the zero-config default.
export async function createKeyring(config: KeyringConfig): Promise<LocalKeyring | AwsKmsKeyring> {
  if (config.kind === "aws-kms") {
    return new AwsKmsKeyring({
      keyId: config.keyId,
      region: config.region,
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      ...(config.maxAttempts === undefined ? {} : { maxAttempts: config.maxAttempts }),
    });
  }
  if (config.masterKey !== undefined) return createLocalKeyringFromEnv(config.masterKey);
  return createLocalKeyringFromFile(config.keyFile);
}
