// The AWS KMS keyring: the KEK never leaves KMS; we hold only KMS-wrapped data keys. Every call carries
// the encryption context (KMS binds it into the ciphertext and logs it in CloudTrail), and SDK failures
// are sorted into "KMS cannot be used right now" versus "this wrapped key does not authenticate".
import { DecryptCommand, GenerateDataKeyCommand, KMSClient, ReEncryptCommand, type KMSClientConfig } from "@aws-sdk/client-kms";
import { CryptoError, KeyringUnavailableError } from "@/lib/crypto/errors";
import { DATA_KEY_BYTES, type DataKey, type EncryptionContext, type KekInfo, type Keyring } from "@/lib/crypto/keyring";

export interface AwsKmsKeyringConfig {
  // Prefer the full key ARN: KMS reports the ARN as the wrapping key, and currentKekId() should match it.
  keyId: string;
  region: string;
  endpoint?: string;
  credentials?: KMSClientConfig["credentials"];
  // Kept small so an unreachable KMS surfaces as "vault unavailable" quickly instead of stalling requests.
  maxAttempts?: number;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
}

// KMS saying "this ciphertext is not what you claim" is an integrity failure, not an outage.
const INTEGRITY_ERRORS = new Set(["InvalidCiphertextException", "IncorrectKeyException"]);

export class AwsKmsKeyring implements Keyring {
  readonly kind = "aws-kms" as const;
  readonly #client: KMSClient;
  readonly #keyId: string;
  // KMS answers with the key ARN even when configured with a key id or alias; remember it so that
  // currentKekId() compares equal to the kekId stored beside DEKs.
  #resolvedKeyId: string | undefined;
  readonly #seen = new Set<string>();

  constructor(config: AwsKmsKeyringConfig) {
    this.#keyId = config.keyId;
    this.#client = new KMSClient({
      region: config.region,
      maxAttempts: config.maxAttempts ?? 3,
      requestHandler: {
        connectionTimeout: config.connectTimeoutMs ?? 2_000,
        requestTimeout: config.requestTimeoutMs ?? 5_000,
        throwOnRequestTimeout: true,
      },
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    });
  }

  currentKekId(): string {
    return this.#resolvedKeyId ?? this.#keyId;
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const response = await this.#send("GenerateDataKey", this.#keyId, () =>
      this.#client.send(new GenerateDataKeyCommand({ KeyId: this.#keyId, KeySpec: "AES_256", EncryptionContext: context })),
    );
    const plaintext = takeDataKey(response.Plaintext, "GenerateDataKey");
    if (!response.CiphertextBlob || !response.KeyId) {
      plaintext.fill(0);
      throw new KeyringUnavailableError("KMS GenerateDataKey returned no wrapped key or key id");
    }
    this.#resolvedKeyId = response.KeyId;
    this.#seen.add(response.KeyId);
    return { plaintext, wrapped: Buffer.from(response.CiphertextBlob), kekId: response.KeyId };
  }

  async unwrapDataKey(wrapped: Buffer, kekId: string, context: EncryptionContext): Promise<Buffer> {
    // Naming the expected key makes KMS refuse a blob wrapped under some other key we may also hold.
    const response = await this.#send("Decrypt", kekId, () =>
      this.#client.send(new DecryptCommand({ CiphertextBlob: wrapped, KeyId: kekId, EncryptionContext: context })),
    );
    this.#seen.add(kekId);
    return takeDataKey(response.Plaintext, "Decrypt");
  }

  async rewrapDataKey(wrapped: Buffer, kekId: string, context: EncryptionContext): Promise<{ wrapped: Buffer; kekId: string }> {
    // ReEncrypt happens inside KMS, so the plaintext DEK never reaches this process during rotation.
    const response = await this.#send("ReEncrypt", kekId, () =>
      this.#client.send(
        new ReEncryptCommand({
          CiphertextBlob: wrapped,
          SourceKeyId: kekId,
          SourceEncryptionContext: context,
          DestinationKeyId: this.#keyId,
          DestinationEncryptionContext: context,
        }),
      ),
    );
    if (!response.CiphertextBlob || !response.KeyId) {
      throw new KeyringUnavailableError("KMS ReEncrypt returned no wrapped key or key id");
    }
    this.#resolvedKeyId = response.KeyId;
    this.#seen.add(response.KeyId);
    return { wrapped: Buffer.from(response.CiphertextBlob), kekId: response.KeyId };
  }

  // KMS does not tell us which keys hold our data; this lists the configured key plus ids seen this run.
  async listKeks(): Promise<KekInfo[]> {
    const current = this.currentKekId();
    const others = [...this.#seen].filter((id) => id !== current && id !== this.#keyId);
    return [{ id: current, current: true, retired: false }, ...others.map((id) => ({ id, current: false, retired: false }))];
  }

  destroy(): void {
    this.#client.destroy();
  }

  async #send<T>(op: string, keyId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw mapKmsError(op, keyId, error);
    }
  }
}

function takeDataKey(plaintext: Uint8Array | undefined, op: string): Buffer {
  if (!plaintext || plaintext.length !== DATA_KEY_BYTES) {
    plaintext?.fill(0);
    throw new KeyringUnavailableError(`KMS ${op} returned a data key of the wrong length`);
  }
  const key = Buffer.from(plaintext);
  // The SDK's copy would otherwise linger until garbage collection.
  plaintext.fill(0);
  return key;
}

function mapKmsError(op: string, keyId: string, error: unknown): Error {
  const name = error instanceof Error ? error.name : "UnknownError";
  if (INTEGRITY_ERRORS.has(name)) {
    return new CryptoError(`KMS ${op} refused the wrapped data key (${name}): wrong encryption context, wrong key or tampered data`, {
      cause: error,
    });
  }
  // Everything else (network, timeouts, throttling, 5xx, disabled/missing key, access denied) means the
  // key cannot be used right now; the vault fails closed and reports itself unavailable.
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const code = (error as { code?: unknown } | undefined)?.code;
  const detail = [name, typeof code === "string" ? code : undefined, status ? `HTTP ${status}` : undefined].filter(Boolean).join(", ");
  return new KeyringUnavailableError(`KMS ${op} with key ${keyId} failed (${detail})`, { cause: error });
}
