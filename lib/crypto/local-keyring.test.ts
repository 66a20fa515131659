import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CryptoError, KeyringUnavailableError } from "@/lib/crypto/errors";
import { createLocalKeyringFromEnv, createLocalKeyringFromFile } from "@/lib/crypto/local-keyring";

const context = { secretDekId: "dek_1", tenant: "org_acme" };
let dir: string;
let keyFile: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "latchkey-keyring-"));
  keyFile = path.join(dir, "nested", "dir", "master.key.json");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function mode(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

describe("key file source", () => {
  it("creates a 0600 key file with one 32-byte KEK on first run and re-uses it afterwards", async () => {
    const first = await createLocalKeyringFromFile(keyFile);
    expect(await mode(keyFile)).toBe(0o600);
    expect(await mode(path.dirname(keyFile))).toBe(0o700);
    const content = JSON.parse(await readFile(keyFile, "utf8"));
    expect(content.current).toBe(1);
    expect(content.versions).toHaveLength(1);
    expect(Buffer.from(content.versions[0].key, "base64")).toHaveLength(32);
    expect(first.currentKekId()).toBe("local:v1");

    const dataKey = await first.generateDataKey(context);
    const before = await readFile(keyFile, "utf8");
    const second = await createLocalKeyringFromFile(keyFile);
    expect(await readFile(keyFile, "utf8")).toBe(before);
    expect(await second.unwrapDataKey(dataKey.wrapped, dataKey.kekId, context)).toEqual(dataKey.plaintext);
  });

  it("gives concurrent first runs the same key", async () => {
    const [a, b] = await Promise.all([createLocalKeyringFromFile(keyFile), createLocalKeyringFromFile(keyFile)]);
    const dataKey = await a.generateDataKey(context);
    expect(await b.unwrapDataKey(dataKey.wrapped, dataKey.kekId, context)).toEqual(dataKey.plaintext);
  });

  it("tightens a key file readable by others to 0600", async () => {
    await createLocalKeyringFromFile(keyFile);
    await chmod(keyFile, 0o644);
    await createLocalKeyringFromFile(keyFile);
    expect(await mode(keyFile)).toBe(0o600);
  });

  it("refuses malformed key files with a message naming the file but not the key", async () => {
    await createLocalKeyringFromFile(keyFile);
    await writeFile(keyFile, "{not json");
    await expect(createLocalKeyringFromFile(keyFile)).rejects.toThrow(keyFile);

    const shortKey = randomBytes(16).toString("base64");
    await writeFile(keyFile, JSON.stringify({ current: 1, versions: [{ version: 1, key: shortKey, retired: false }] }));
    const error = await createLocalKeyringFromFile(keyFile).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(keyFile);
    expect((error as Error).message).toContain("32 bytes");
    expect((error as Error).message).not.toContain(shortKey);

    await writeFile(
      keyFile,
      JSON.stringify({ current: 2, versions: [{ version: 1, key: randomBytes(32).toString("base64"), retired: false }] }),
    );
    await expect(createLocalKeyringFromFile(keyFile)).rejects.toThrow(/current version 2/);
  });
});

describe("wrapping", () => {
  it("round-trips a fresh 32-byte DEK and never stores it in the clear", async () => {
    const keyring = await createLocalKeyringFromFile(keyFile);
    const dataKey = await keyring.generateDataKey(context);
    expect(dataKey.plaintext).toHaveLength(32);
    expect(dataKey.wrapped.includes(dataKey.plaintext)).toBe(false);
    expect(await keyring.unwrapDataKey(dataKey.wrapped, dataKey.kekId, context)).toEqual(dataKey.plaintext);
    const other = await keyring.generateDataKey(context);
    expect(other.plaintext.equals(dataKey.plaintext)).toBe(false);
  });

  it("refuses a different encryption context, a tampered wrap, or a foreign keyring", async () => {
    const keyring = await createLocalKeyringFromFile(keyFile);
    const { wrapped, kekId } = await keyring.generateDataKey(context);
    await expect(keyring.unwrapDataKey(wrapped, kekId, { ...context, tenant: "org_evil" })).rejects.toThrow(CryptoError);
    await expect(keyring.unwrapDataKey(wrapped, kekId, { secretDekId: "dek_1" })).rejects.toThrow(CryptoError);
    const tampered = Buffer.from(wrapped);
    tampered[20] = (tampered[20] ?? 0) ^ 0x80;
    await expect(keyring.unwrapDataKey(tampered, kekId, context)).rejects.toThrow(CryptoError);
    const stranger = createLocalKeyringFromEnv(randomBytes(32).toString("base64"));
    await expect(stranger.unwrapDataKey(wrapped, kekId, context)).rejects.toThrow(CryptoError);
  });

  it("reports a KEK it does not hold as unavailable rather than as a bad ciphertext", async () => {
    const keyring = await createLocalKeyringFromFile(keyFile);
    const { wrapped } = await keyring.generateDataKey(context);
    await expect(keyring.unwrapDataKey(wrapped, "local:v7", context)).rejects.toThrow(KeyringUnavailableError);
    await expect(keyring.unwrapDataKey(wrapped, "arn:aws:kms:x", context)).rejects.toMatchObject({ code: "vault_unavailable" });
  });
});

describe("rotation", () => {
  it("rotates, keeps old DEKs readable, rewraps them, and retires the old KEK", async () => {
    const keyring = await createLocalKeyringFromFile(keyFile);
    const old = await keyring.generateDataKey(context);
    expect(old.kekId).toBe("local:v1");

    expect(await keyring.rotate()).toBe("local:v2");
    expect(keyring.currentKekId()).toBe("local:v2");
    expect(await mode(keyFile)).toBe(0o600);
    expect((await keyring.listKeks()).map((k) => [k.id, k.current, k.retired])).toEqual([
      ["local:v1", false, false],
      ["local:v2", true, false],
    ]);
    expect((await keyring.generateDataKey(context)).kekId).toBe("local:v2");
    expect(await keyring.unwrapDataKey(old.wrapped, old.kekId, context)).toEqual(old.plaintext);

    const moved = await keyring.rewrapDataKey(old.wrapped, old.kekId, context);
    expect(moved.kekId).toBe("local:v2");
    expect(await keyring.unwrapDataKey(moved.wrapped, moved.kekId, context)).toEqual(old.plaintext);
    // The wrap is bound to its KEK id: relabelling it as v1 does not open it.
    await expect(keyring.unwrapDataKey(moved.wrapped, "local:v1", context)).rejects.toThrow(CryptoError);

    await expect(keyring.retire("local:v2")).rejects.toThrow(/current/);
    await keyring.retire("local:v1");
    await expect(keyring.unwrapDataKey(old.wrapped, old.kekId, context)).rejects.toThrow(/retired/);
    await expect(keyring.unwrapDataKey(old.wrapped, old.kekId, context)).rejects.toThrow(CryptoError);
    expect(await keyring.unwrapDataKey(moved.wrapped, moved.kekId, context)).toEqual(old.plaintext);

    // Rotation and retirement are persisted for the next process.
    const restarted = await createLocalKeyringFromFile(keyFile);
    expect(restarted.currentKekId()).toBe("local:v2");
    expect(await restarted.unwrapDataKey(moved.wrapped, moved.kekId, context)).toEqual(old.plaintext);
    await expect(restarted.unwrapDataKey(old.wrapped, old.kekId, context)).rejects.toThrow(/retired/);
  });

  it("picks up a version added by another process when it meets a DEK wrapped under it", async () => {
    const server = await createLocalKeyringFromFile(keyFile);
    const cli = await createLocalKeyringFromFile(keyFile);
    await cli.rotate();
    const fresh = await cli.generateDataKey(context);
    expect(await server.unwrapDataKey(fresh.wrapped, fresh.kekId, context)).toEqual(fresh.plaintext);
    expect(server.currentKekId()).toBe("local:v2");
  });

  it("wraps a new data key under the KEK another process rotated to, so retiring the old one loses nothing", async () => {
    const server = await createLocalKeyringFromFile(keyFile);
    expect((await server.generateDataKey(context)).kekId).toBe("local:v1");
    const cli = await createLocalKeyringFromFile(keyFile);
    await cli.rotate();
    await cli.retire("local:v1");
    const fresh = await server.generateDataKey(context);
    expect(fresh.kekId).toBe("local:v2");
    expect(await cli.unwrapDataKey(fresh.wrapped, fresh.kekId, context)).toEqual(fresh.plaintext);
  });

  it("never loses a version when two keyrings rotate the same file", async () => {
    const a = await createLocalKeyringFromFile(keyFile);
    const b = await createLocalKeyringFromFile(keyFile);
    expect(await a.rotate()).toBe("local:v2");
    expect(await b.rotate()).toBe("local:v3");
    const restarted = await createLocalKeyringFromFile(keyFile);
    expect((await restarted.listKeks()).map((k) => k.id)).toEqual(["local:v1", "local:v2", "local:v3"]);
  });

  it("takes over the lock of a rotation that was killed, and waits for one that still runs", async () => {
    const keyring = await createLocalKeyringFromFile(keyFile);
    // A rotation killed with SIGKILL left its lock; no process has that pid (above the kernel's maximum).
    await writeFile(`${keyFile}.lock`, "4194305 123\n");
    expect(await keyring.rotate()).toBe("local:v2");
    // A live process (this test's parent) holds it: refused, naming the process, and the file unchanged.
    await writeFile(`${keyFile}.lock`, `${process.ppid}\n`);
    await expect(keyring.rotate()).rejects.toThrow(
      `key file ${keyFile} is being changed by process ${process.ppid}: wait for it to finish`,
    );
    expect((await keyring.listKeks()).map((k) => k.id)).toEqual(["local:v1", "local:v2"]);
  });
});

describe("LATCHKEY_MASTER_KEY source", () => {
  const keyA = randomBytes(32).toString("base64");
  const keyB = randomBytes(32).toString("base64");

  it("accepts a single key as version 1", async () => {
    const keyring = createLocalKeyringFromEnv(keyA);
    expect(keyring.currentKekId()).toBe("local:v1");
    const dataKey = await keyring.generateDataKey(context);
    expect(await keyring.unwrapDataKey(dataKey.wrapped, dataKey.kekId, context)).toEqual(dataKey.plaintext);
  });

  it("accepts a version list, makes the highest current, and still reads DEKs from the single-key days", async () => {
    const before = await createLocalKeyringFromEnv(keyA).generateDataKey(context);
    const keyring = createLocalKeyringFromEnv(`1:${keyA}, 2:${keyB}`);
    expect(keyring.currentKekId()).toBe("local:v2");
    expect(await keyring.unwrapDataKey(before.wrapped, before.kekId, context)).toEqual(before.plaintext);
    const moved = await keyring.rewrapDataKey(before.wrapped, before.kekId, context);
    expect(moved.kekId).toBe("local:v2");
    expect(await createLocalKeyringFromEnv(`2:${keyB}`).unwrapDataKey(moved.wrapped, moved.kekId, context)).toEqual(before.plaintext);
  });

  it("binds a wrap to its KEK id, even if two versions were given the same key material", async () => {
    const keyring = createLocalKeyringFromEnv(`1:${keyA},2:${keyA}`);
    const dataKey = await keyring.generateDataKey(context);
    expect(dataKey.kekId).toBe("local:v2");
    await expect(keyring.unwrapDataKey(dataKey.wrapped, "local:v1", context)).rejects.toThrow(CryptoError);
  });

  const short = randomBytes(16).toString("base64");
  const bad: Array<[string, string, RegExp]> = [
    ["empty", "", /empty/],
    ["not base64", "this is not base64!!", /not valid base64/],
    ["16 bytes", short, /16 bytes.*32 bytes/],
    ["a bad version", `1:${keyA},two:${keyB}`, /entry 2.*positive integer/],
    ["a duplicate version", `1:${keyA},1:${keyB}`, /version 1 twice/],
    ["a bad key in a list", `1:${keyA},2:${short}`, /entry 2 decodes to 16 bytes/],
    ["a list entry without a version", `1:${keyA},${keyB}`, /entry 2 must look like/],
  ];
  it.each(bad)("rejects %s with a message naming the variable and not the value", (_label, value, reason) => {
    let message = "";
    try {
      createLocalKeyringFromEnv(value);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("LATCHKEY_MASTER_KEY");
    expect(message).toMatch(reason);
    for (const secret of [keyA, keyB, short]) expect(message).not.toContain(secret);
  });

  it("explains how to rotate or retire instead of doing it", async () => {
    const keyring = createLocalKeyringFromEnv(`1:${keyA},2:${keyB}`);
    await expect(keyring.rotate()).rejects.toThrow(/LATCHKEY_MASTER_KEY.*N:<base64/);
    await expect(keyring.retire("local:v1")).rejects.toThrow(/LATCHKEY_MASTER_KEY/);
    expect(keyring.currentKekId()).toBe("local:v2");
  });
});
