import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretValue, type Keyring } from "@/lib/crypto";
import { auditEvents, secretVersions, secrets } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring, seedOwners, uiContext, extensionContext } from "@/test/vault";
import type { SecretAddress } from "./vault";

let database: TestDatabase;
let owners: Awaited<ReturnType<typeof seedOwners>>;
// One keyring per database, as in production: DEKs and the fingerprint key outlive any one vault object.
let keyring: Keyring;

beforeAll(async () => {
  database = await openTestDatabase();
  owners = await seedOwners(database.db);
  keyring = await localKeyring();
});
afterAll(async () => {
  await database.close();
});

const address = (name: string, scope: SecretAddress["scope"] = "user"): SecretAddress => ({
  extensionId: owners.extensionId,
  scope,
  ownerId: scope === "user" ? owners.userId : scope === "org" ? owners.orgId : owners.extensionId,
  name,
});

const errorCode = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return "no error";
};

async function versionsOf(name: string) {
  const { db } = database;
  const [secret] = await db
    .select()
    .from(secrets)
    .where(and(eq(secrets.extensionId, owners.extensionId), eq(secrets.name, name)));
  if (!secret) return { secret: undefined, versions: [] };
  const versions = await db
    .select()
    .from(secretVersions)
    .where(eq(secretVersions.secretId, secret.id))
    .orderBy(asc(secretVersions.version));
  return { secret, versions };
}

describe(`vault on ${process.env.TEST_DB_DRIVER ?? "pglite"}`, () => {
  it("stores a value as ciphertext only and reads it back", async () => {
    const { vault } = buildVault(database.db, keyring);
    const ctx = uiContext(owners.userId);
    await vault.set(ctx, address("spotify_api_key"), SecretValue.from("sk-live-roundtrip-123"));
    const value = await vault.read(extensionContext(owners.extensionId), address("spotify_api_key"));
    expect(value?.reveal()).toBe("sk-live-roundtrip-123");
    expect(String(value)).toBe("[redacted]");

    const { secret, versions } = await versionsOf("spotify_api_key");
    expect(secret?.currentVersion).toBe(1);
    expect(versions).toHaveLength(1);
    const stored = versions[0]?.ciphertext;
    expect(stored?.[0]).toBe(0x01);
    expect(stored?.includes(Buffer.from("sk-live-roundtrip-123"))).toBe(false);
    expect(await vault.read(ctx, address("never_set"))).toBeNull();
  });

  it("keeps each owner's values apart", async () => {
    const { vault } = buildVault(database.db, keyring);
    const ctx = uiContext(owners.userId);
    await vault.set(ctx, address("shared_name", "user"), SecretValue.from("user-value"));
    await vault.set(ctx, address("shared_name", "org"), SecretValue.from("org-value"));
    const otherExtension = { ...address("shared_name", "user"), extensionId: owners.otherExtensionId };
    expect((await vault.read(ctx, address("shared_name", "user")))?.reveal()).toBe("user-value");
    expect((await vault.read(ctx, address("shared_name", "org")))?.reveal()).toBe("org-value");
    expect(await vault.read(ctx, otherExtension)).toBeNull();
  });

  it("refuses a ciphertext copied onto another row, with an error and never the stored bytes", async () => {
    const { vault } = buildVault(database.db, keyring);
    const ctx = uiContext(owners.userId);
    await vault.set(ctx, address("aad_source"), SecretValue.from("value-a"));
    await vault.set(ctx, address("aad_target"), SecretValue.from("value-b"));
    const source = await versionsOf("aad_source");
    const target = await versionsOf("aad_target");
    const sourceVersion = source.versions[0];
    if (!sourceVersion || !target.secret) throw new Error("setup failed");
    await database.db
      .update(secretVersions)
      .set({ ciphertext: sourceVersion.ciphertext, dekId: sourceVersion.dekId })
      .where(eq(secretVersions.secretId, target.secret.id));
    expect(await errorCode(vault.read(ctx, address("aad_target")))).toBe("secret_integrity_failure");
  });

  it("fails on a tampered ciphertext and on a tampered tag", async () => {
    const { vault } = buildVault(database.db, keyring);
    const ctx = uiContext(owners.userId);
    for (const [name, flip] of [
      ["tamper_body", (b: Buffer) => (b[14] = (b[14] ?? 0) ^ 0x01)],
      ["tamper_tag", (b: Buffer) => (b[b.length - 1] = (b[b.length - 1] ?? 0) ^ 0x80)],
    ] as const) {
      await vault.set(ctx, address(name), SecretValue.from("a value to tamper with"));
      const { secret, versions } = await versionsOf(name);
      const bytes = Buffer.from(versions[0]?.ciphertext ?? Buffer.alloc(0));
      flip(bytes);
      await database.db
        .update(secretVersions)
        .set({ ciphertext: bytes })
        .where(eq(secretVersions.secretId, secret?.id ?? ""));
      expect(await errorCode(vault.read(ctx, address(name)))).toBe("secret_integrity_failure");
    }
  });

  it("rotates atomically: count and time recorded, the previous version readable only during the grace period", async () => {
    let now = new Date();
    const { vault } = buildVault(database.db, keyring, { graceMs: 60_000, now: () => now });
    const ctx = uiContext(owners.userId);
    await vault.set(ctx, address("rotating"), SecretValue.from("v1"));
    const result = await vault.rotate(ctx, address("rotating"), SecretValue.from("v2"));
    expect(result).toEqual({ version: 2, rotationCount: 1 });
    expect((await vault.read(ctx, address("rotating")))?.reveal()).toBe("v2");
    expect((await vault.read(ctx, address("rotating"), { version: "previous" }))?.reveal()).toBe("v1");
    const status = await vault.status(address("rotating"));
    expect(status).toMatchObject({ isSet: true, currentVersion: 2, rotationCount: 1, byteLength: 2 });
    expect(status?.lastRotatedAt).toEqual(now);

    // A millisecond before the grace period ends the previous value still reads and is not shredded; at its end it is gone.
    const rotatedAt = now.getTime();
    now = new Date(rotatedAt + 60_000 - 1);
    expect((await vault.read(ctx, address("rotating"), { version: "previous" }))?.reveal()).toBe("v1");
    await vault.shredExpiredVersions();
    expect((await versionsOf("rotating")).versions.map((v) => v.ciphertext === null)).toEqual([false, false]);
    now = new Date(rotatedAt + 60_000);
    expect(await vault.read(ctx, address("rotating"), { version: "previous" })).toBeNull();
    expect(await vault.shredExpiredVersions()).toBeGreaterThanOrEqual(1);
    const { versions } = await versionsOf("rotating");
    expect(versions.map((v) => [v.version, v.ciphertext === null])).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it("set replaces the old value at once; rotate needs a value to rotate", async () => {
    const { vault } = buildVault(database.db, keyring);
    const ctx = uiContext(owners.userId);
    expect(await errorCode(vault.rotate(ctx, address("fresh"), SecretValue.from("x")))).toBe("secret_not_set");
    await vault.set(ctx, address("replaced"), SecretValue.from("old"));
    await vault.set(ctx, address("replaced"), SecretValue.from("new"));
    expect(await vault.read(ctx, address("replaced"), { version: "previous" })).toBeNull();
    const { versions } = await versionsOf("replaced");
    expect(versions.map((v) => v.ciphertext === null)).toEqual([true, false]);
  });

  it("deletes by crypto-shredding every version", async () => {
    const { vault } = buildVault(database.db, keyring);
    const ctx = uiContext(owners.userId);
    await vault.set(ctx, address("doomed"), SecretValue.from("first"));
    await vault.rotate(ctx, address("doomed"), SecretValue.from("second"));
    expect(await vault.delete(ctx, address("doomed"))).toEqual({ wasSet: true });
    expect(await vault.read(ctx, address("doomed"))).toBeNull();
    expect(await vault.read(ctx, address("doomed"), { version: "previous" })).toBeNull();
    const { secret, versions } = await versionsOf("doomed");
    expect(secret?.currentVersion).toBeNull();
    expect(versions.every((v) => v.ciphertext === null && v.destroyedAt !== null)).toBe(true);
    expect(await vault.delete(ctx, address("doomed"))).toEqual({ wasSet: false });
  });

  it("refuses a value over the limit with the limit in the message, changing nothing", async () => {
    const { vault } = buildVault(database.db, keyring);
    const ctx = uiContext(owners.userId);
    await vault.set(ctx, address("limited"), SecretValue.from("keep me"));
    const attempt = vault.set(ctx, address("limited"), SecretValue.from("x".repeat(201)), { maxBytes: 200 });
    await expect(attempt).rejects.toMatchObject({
      code: "secret_value_too_large",
      message: "user.limited is limited to 200 bytes; the value has 201.",
    });
    expect((await vault.read(ctx, address("limited")))?.reveal()).toBe("keep me");
    expect(await errorCode(vault.set(ctx, address("Bad-Name"), SecretValue.from("x")))).toBe("invalid_secret_name");
  });

  it("writes no change when its audit event cannot be written", async () => {
    const failing = buildVault(database.db, keyring, {
      appendAudit: async () => {
        throw new Error("audit store refused the event");
      },
    });
    const ctx = uiContext(owners.userId);
    await expect(failing.vault.set(ctx, address("unaudited"), SecretValue.from("nope"))).rejects.toThrow("audit store refused the event");
    const { secret, versions } = await versionsOf("unaudited");
    expect(secret).toBeUndefined();
    expect(versions).toHaveLength(0);
  });

  it("audits every change with actor, source and details, never the value", async () => {
    const { vault, reads } = buildVault(database.db, keyring);
    const ctx = uiContext(owners.userId);
    await vault.set(ctx, address("audited"), SecretValue.from("audited-value-1"));
    await vault.rotate(ctx, address("audited"), SecretValue.from("audited-value-2"));
    await vault.read(extensionContext(owners.extensionId), address("audited"));
    await vault.delete(ctx, address("audited"));
    await reads.flush();
    const events = await database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.target, "user.audited"))
      .orderBy(asc(auditEvents.occurredAt));
    // Reads are written by a batch flush, so compare as a set rather than by insertion order.
    expect(events.map((e) => [e.action, e.actorKind, e.sourceKind, e.outcome]).sort()).toEqual(
      [
        ["secret.set", "user", "ui", "success"],
        ["secret.rotate", "user", "ui", "success"],
        ["secret.read", "extension", "api", "success"],
        ["secret.delete", "user", "ui", "success"],
      ].sort(),
    );
    const set = events.find((e) => e.action === "secret.set");
    const rotate = events.find((e) => e.action === "secret.rotate");
    expect(set?.details).toMatchObject({ version: 1, byte_length: 15 });
    expect(set?.details.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(set?.details.fingerprint).not.toBe(rotate?.details.fingerprint);
    expect(set?.sourceUserAgent).toBe("vitest");
    expect(JSON.stringify(events)).not.toContain("audited-value");
    const [row] = await database.db.select().from(secrets).where(eq(secrets.name, "audited"));
    expect(row?.lastReadAt).toBeInstanceOf(Date);
  });

  it("keeps a gapless version sequence and one current value under 50 concurrent rotations", async () => {
    const { vault } = buildVault(database.db, keyring);
    const ctx = uiContext(owners.userId);
    await vault.set(ctx, address("contended"), SecretValue.from("start"));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => vault.rotate(ctx, address("contended"), SecretValue.from(`value-${i}`))),
    );
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    const { secret, versions } = await versionsOf("contended");
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(secret).toMatchObject({ currentVersion: 51, rotationCount: 50 });
    const winner = results.findIndex((r) => r.version === 51);
    expect((await vault.read(ctx, address("contended")))?.reveal()).toBe(`value-${winner}`);
  });
});
