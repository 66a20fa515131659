import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsKmsKeyring, type AwsKmsKeyringConfig } from "@/lib/crypto/aws-kms-keyring";
import { CryptoError, KeyringUnavailableError } from "@/lib/crypto/errors";
import { FakeKmsServer } from "@/test/kms-server";

const context = { secretDekId: "dek_1", tenant: "org_acme", purpose: "latchkey-dek" };
const credentials = { accessKeyId: "AKIAFAKEFAKEFAKE", secretAccessKey: "fake-secret-access-key" };

let server: FakeKmsServer;
let endpoint: string;
let keyId: string;
const keyrings: AwsKmsKeyring[] = [];

function keyringFor(key: string, overrides: Partial<AwsKmsKeyringConfig> = {}): AwsKmsKeyring {
  const keyring = new AwsKmsKeyring({ keyId: key, region: "us-east-1", endpoint, credentials, maxAttempts: 1, ...overrides });
  keyrings.push(keyring);
  return keyring;
}

async function elapsed(run: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const start = performance.now();
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: performance.now() - start, error };
}

beforeEach(async () => {
  server = new FakeKmsServer();
  endpoint = await server.start();
  keyId = server.createKey();
});
afterEach(async () => {
  for (const keyring of keyrings.splice(0)) keyring.destroy();
  await server.stop();
});

describe("AwsKmsKeyring through the real SDK", () => {
  it("generates and unwraps a 32-byte DEK, sending the encryption context on every call", async () => {
    const keyring = keyringFor(keyId);
    const dataKey = await keyring.generateDataKey(context);
    expect(dataKey.plaintext).toHaveLength(32);
    expect(dataKey.kekId).toBe(keyId);
    expect(dataKey.wrapped.includes(dataKey.plaintext)).toBe(false);
    expect(await keyring.unwrapDataKey(dataKey.wrapped, dataKey.kekId, context)).toEqual(dataKey.plaintext);

    expect(server.calls.map((call) => call.op)).toEqual(["GenerateDataKey", "Decrypt"]);
    expect(server.calls[0]?.body).toEqual({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: context });
    expect(server.calls[1]?.body).toEqual({
      CiphertextBlob: dataKey.wrapped.toString("base64"),
      KeyId: keyId,
      EncryptionContext: context,
    });
  });

  it("turns a different encryption context, a tampered blob or the wrong key into CryptoError", async () => {
    const keyring = keyringFor(keyId);
    const { wrapped, kekId } = await keyring.generateDataKey(context);
    await expect(keyring.unwrapDataKey(wrapped, kekId, { ...context, tenant: "org_evil" })).rejects.toThrow(CryptoError);
    const tampered = Buffer.from(wrapped);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0x01;
    await expect(keyring.unwrapDataKey(tampered, kekId, context)).rejects.toMatchObject({ code: "decrypt_failed" });
    await expect(keyring.unwrapDataKey(wrapped, server.createKey(), context)).rejects.toThrow(CryptoError);
  });

  it("rewraps to the configured key inside KMS with the same context on both sides", async () => {
    const before = await keyringFor(keyId).generateDataKey(context);
    const newKey = server.createKey();
    const keyring = keyringFor(newKey);
    expect(keyring.currentKekId()).toBe(newKey);

    const moved = await keyring.rewrapDataKey(before.wrapped, before.kekId, context);
    expect(moved.kekId).toBe(newKey);
    const reEncrypt = server.callsTo("ReEncrypt");
    expect(reEncrypt).toHaveLength(1);
    expect(reEncrypt[0]?.body).toMatchObject({
      SourceKeyId: keyId,
      DestinationKeyId: newKey,
      SourceEncryptionContext: context,
      DestinationEncryptionContext: context,
    });
    expect(await keyring.unwrapDataKey(moved.wrapped, moved.kekId, context)).toEqual(before.plaintext);
    expect((await keyring.listKeks()).map((k) => [k.id, k.current])).toEqual([[newKey, true]]);
  });

  it("reports a disabled key as unavailable", async () => {
    const keyring = keyringFor(keyId);
    const { wrapped, kekId } = await keyring.generateDataKey(context);
    server.disableKey(keyId);
    await expect(keyring.unwrapDataKey(wrapped, kekId, context)).rejects.toThrow(KeyringUnavailableError);
    await expect(keyring.generateDataKey(context)).rejects.toThrow(/DisabledException/);
  });
});

describe("AwsKmsKeyring when KMS is unavailable", () => {
  it("fails fast with KeyringUnavailableError when connections are reset", async () => {
    const keyring = keyringFor(keyId, { maxAttempts: 2 });
    const { wrapped, kekId } = await keyring.generateDataKey(context);
    server.setDown(true, "reset");
    const { ms, error } = await elapsed(() => keyring.unwrapDataKey(wrapped, kekId, context));
    expect(error).toBeInstanceOf(KeyringUnavailableError);
    expect((error as Error).message).toContain("Decrypt");
    expect(ms).toBeLessThan(3_000);
  });

  it("retries a 500 only maxAttempts times, then reports unavailable", async () => {
    const keyring = keyringFor(keyId, { maxAttempts: 2 });
    const { wrapped, kekId } = await keyring.generateDataKey(context);
    server.setDown(true, "error500");
    const { ms, error } = await elapsed(() => keyring.unwrapDataKey(wrapped, kekId, context));
    expect(error).toMatchObject({ code: "vault_unavailable" });
    expect(server.callsTo("Decrypt")).toHaveLength(2);
    expect(ms).toBeLessThan(3_000);
  });

  it("times out a KMS that accepts connections but never answers", async () => {
    const keyring = keyringFor(keyId, { requestTimeoutMs: 200 });
    server.setDown(true, "hang");
    const { ms, error } = await elapsed(() => keyring.generateDataKey(context));
    expect(error).toBeInstanceOf(KeyringUnavailableError);
    expect(ms).toBeLessThan(3_000);
  });

  it("reports a stopped server as unavailable", async () => {
    const keyring = keyringFor(keyId, { maxAttempts: 2 });
    const { wrapped, kekId } = await keyring.generateDataKey(context);
    await server.stop();
    const { ms, error } = await elapsed(() => keyring.rewrapDataKey(wrapped, kekId, context));
    expect(error).toBeInstanceOf(KeyringUnavailableError);
    expect(ms).toBeLessThan(3_000);
  });
});

describe("fake KMS strictness", () => {
  async function post(target: string | undefined, body: unknown, signed = true): Promise<{ status: number; type: unknown }> {
    const headers: Record<string, string> = { "content-type": "application/x-amz-json-1.1" };
    if (target) headers["x-amz-target"] = target;
    if (signed) headers.authorization = "AWS4-HMAC-SHA256 Credential=fake";
    const response = await fetch(endpoint, { method: "POST", headers, body: JSON.stringify(body) });
    const json = (await response.json()) as { __type?: unknown };
    return { status: response.status, type: json.__type };
  }

  it("rejects what real KMS would reject, so client mistakes surface in tests", async () => {
    const valid = { KeyId: keyId, KeySpec: "AES_256" };
    expect(await post("TrentService.GenerateDataKey", valid, false)).toEqual({ status: 400, type: "MissingAuthenticationTokenException" });
    expect(await post(undefined, valid)).toEqual({ status: 400, type: "UnknownOperationException" });
    expect(await post("TrentService.GenerateDataKey", { ...valid, KeySpec: "AES_512" })).toEqual({
      status: 400,
      type: "ValidationException",
    });
    expect(await post("TrentService.GenerateDataKey", { ...valid, Extra: 1 })).toEqual({ status: 400, type: "ValidationException" });
    expect(await post("TrentService.Decrypt", {})).toEqual({ status: 400, type: "ValidationException" });
    expect(await post("TrentService.Encrypt", valid)).toEqual({ status: 400, type: "UnsupportedOperationException" });
    expect((await post("TrentService.GenerateDataKey", valid)).status).toBe(200);
    expect(server.calls).toHaveLength(7);
  });
});
