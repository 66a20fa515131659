// The vault over the AWS KMS keyring, against a loopback server speaking the KMS protocol: one KMS call
// per data key, none on steady-state reads, re-wrapping on rotation, and what keeps working while the
// KMS is down (README, "The vault"): writes under the data key already in hand until it reaches its
// value count or age, reads of data keys still in the cache until their TTL; everything else fails with
// vault_unavailable and stores or returns nothing. Time is a clock the tests move, never a sleep.
import { count, eq, ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReadRecorder } from "@/lib/audit/read-recorder";
import { DekCache, SecretValue } from "@/lib/crypto";
import { auditEvents, dataKeys as dataKeysTable, secretVersions, secrets } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { startFakeKms, type FakeKmsServer } from "@/test/kms-server";
import { buildVault, kmsKeyring, seedOwners, uiContext } from "@/test/vault";
import { DataKeys, type DataKeyPolicy } from "@/lib/crypto/data-keys";
import { rotateKeys } from "./key-rotation";
import { Vault, type SecretAddress } from "./vault";

let database: TestDatabase;
let kms: FakeKmsServer;
let endpoint: string;
let owners: Awaited<ReturnType<typeof seedOwners>>;
let keyId: string;

beforeAll(async () => {
  database = await openTestDatabase();
  owners = await seedOwners(database.db);
  ({ server: kms, endpoint } = await startFakeKms());
  keyId = kms.createKey();
});
afterAll(async () => {
  await kms.stop();
  await database.close();
});

const address = (name: string): SecretAddress => ({ extensionId: owners.extensionId, scope: "org", ownerId: owners.orgId, name });
const ctx = () => uiContext(owners.userId);

/**
 * A vault over the fake KMS whose data-key cache and write-key ageing read a clock the test moves.
 * Defaults are the README's: a 300-second cache TTL, 10,000 values or 24 hours per data key.
 */
function clockedVault(policy: Partial<DataKeyPolicy> = {}, ttlMs = 300_000) {
  let now = Date.parse("2026-11-02T09:00:00Z");
  const clock = () => now;
  const cache = new DekCache({ maxEntries: 1000, ttlMs, now: clock });
  const keys = new DataKeys(
    database.db,
    kmsKeyring(kms, endpoint, keyId),
    cache,
    { maxValues: 10_000, maxAgeMs: 24 * 3600_000, ...policy },
    { now: clock },
  );
  const vault = new Vault({
    db: database.db,
    dataKeys: keys,
    reads: new ReadRecorder(database.db, { flushIntervalMs: 50 }),
    graceMs: 60_000,
  });
  return { vault, advance: (ms: number) => (now += ms) };
}

/** Rows that a write adds: none may appear when a write fails. (Read events are flushed in the background, so they are left out.) */
async function storedCounts() {
  const [[s], [v], [e], [d]] = await Promise.all([
    database.db.select({ n: count() }).from(secrets),
    database.db.select({ n: count() }).from(secretVersions),
    database.db.select({ n: count() }).from(auditEvents).where(ne(auditEvents.action, "secret.read")),
    database.db.select({ n: count() }).from(dataKeysTable),
  ]);
  return { secrets: s?.n, versions: v?.n, auditEvents: e?.n, dataKeys: d?.n };
}

/** Runs `body` with the fake KMS refusing every connection, and brings it back afterwards. */
async function duringOutage(body: () => Promise<void>) {
  kms.setDown(true);
  try {
    await body();
  } finally {
    kms.setDown(false);
  }
}

const unavailable = { code: "vault_unavailable", message: expect.stringMatching(/^The vault is unavailable: /) };

describe(`vault through the AWS KMS keyring (${process.env.TEST_DB_DRIVER ?? "pglite"})`, () => {
  it("round-trips values, binding each data key to its row in the KMS encryption context", async () => {
    const { vault } = buildVault(database.db, kmsKeyring(kms, endpoint, keyId));
    await vault.set(ctx(), address("zoom_access_token"), SecretValue.from("kms-roundtrip-value"));
    expect((await vault.read(ctx(), address("zoom_access_token")))?.reveal()).toBe("kms-roundtrip-value");
    const [dek] = await database.db.select().from(dataKeysTable).where(eq(dataKeysTable.kekId, keyId));
    const generate = kms.callsTo("GenerateDataKey").at(-1)?.body as { EncryptionContext?: Record<string, string>; KeySpec?: string };
    expect(generate.KeySpec).toBe("AES_256");
    expect(generate.EncryptionContext).toEqual({ purpose: "latchkey:data-key", dek_id: dek?.id });
  });

  it("makes one KMS call per data key on writes and none on steady-state reads", async () => {
    const { vault } = buildVault(database.db, kmsKeyring(kms, endpoint, keyId));
    const before = kms.calls.length;
    for (let i = 0; i < 100; i++) await vault.set(ctx(), address(`bulk_${i}`), SecretValue.from(`bulk-value-${i}`));
    // One DEK for the writes, plus at most one Decrypt to load the shared fingerprint key.
    expect(kms.callsTo("GenerateDataKey").length).toBeGreaterThan(0);
    const writeCalls = kms.calls.length - before;
    expect(writeCalls).toBeLessThanOrEqual(2);

    const cold = buildVault(database.db, kmsKeyring(kms, endpoint, keyId));
    await cold.vault.read(ctx(), address("bulk_0"));
    const warm = kms.calls.length;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 100; i++) expect((await cold.vault.read(ctx(), address(`bulk_${i}`)))?.reveal()).toBe(`bulk-value-${i}`);
    }
    expect(kms.calls.length - warm).toBe(0);
  });

  it("fails closed when KMS is down and no data key is in hand: writes store nothing, cached reads keep working", async () => {
    const warm = buildVault(database.db, kmsKeyring(kms, endpoint, keyId));
    await warm.vault.set(ctx(), address("before_outage"), SecretValue.from("still-readable"));
    await warm.vault.read(ctx(), address("before_outage"));

    kms.setDown(true);
    try {
      const cold = buildVault(database.db, kmsKeyring(kms, endpoint, keyId));
      const [{ n: secretsBefore } = { n: 0 }] = await database.db.select({ n: count() }).from(secrets);
      const [{ n: versionsBefore } = { n: 0 }] = await database.db.select({ n: count() }).from(secretVersions);
      const started = Date.now();
      await expect(cold.vault.set(ctx(), address("during_outage"), SecretValue.from("x"))).rejects.toMatchObject({
        code: "vault_unavailable",
        message: expect.stringMatching(/^The vault is unavailable: /),
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      const [{ n: secretsAfter } = { n: 0 }] = await database.db.select({ n: count() }).from(secrets);
      const [{ n: versionsAfter } = { n: 0 }] = await database.db.select({ n: count() }).from(secretVersions);
      expect([secretsAfter, versionsAfter]).toEqual([secretsBefore, versionsBefore]);
      // A reader whose data key is not cached cannot open values, and says so.
      await expect(cold.vault.read(ctx(), address("before_outage"))).rejects.toMatchObject({ code: "vault_unavailable" });
      // The warm reader's cache carries it through the outage.
      expect((await warm.vault.read(ctx(), address("before_outage")))?.reveal()).toBe("still-readable");
    } finally {
      kms.setDown(false);
    }
  });

  it("keeps writing under the data key in hand during an outage until LATCHKEY_DEK_MAX_VALUES; the write that needs a new key fails and stores nothing", async () => {
    const { vault } = clockedVault({ maxValues: 3 });
    await vault.set(ctx(), address("count_1"), SecretValue.from("count-value-1"));
    await duringOutage(async () => {
      // The data key made for count_1 seals two more values without the KMS.
      await vault.set(ctx(), address("count_2"), SecretValue.from("count-value-2"));
      await vault.rotate(ctx(), address("count_1"), SecretValue.from("count-value-1b"));
      const before = await storedCounts();
      const attempts = kms.callsTo("GenerateDataKey").length;
      await expect(vault.set(ctx(), address("count_4"), SecretValue.from("count-value-4"))).rejects.toMatchObject(unavailable);
      expect(kms.callsTo("GenerateDataKey").length).toBe(attempts + 1);
      expect(await storedCounts()).toEqual(before);
      expect(await vault.status(address("count_4"))).toBeNull();
      // What was written during the outage reads back: its data key is in the cache.
      expect((await vault.read(ctx(), address("count_2")))?.reveal()).toBe("count-value-2");
      expect((await vault.read(ctx(), address("count_1")))?.reveal()).toBe("count-value-1b");
    });
    await vault.set(ctx(), address("count_4"), SecretValue.from("count-value-4"));
    expect((await vault.read(ctx(), address("count_4")))?.reveal()).toBe("count-value-4");
  });

  it("keeps writing under the data key in hand during an outage until LATCHKEY_DEK_MAX_AGE_HOURS, then fails and stores nothing", async () => {
    const { vault, advance } = clockedVault({ maxAgeMs: 24 * 3600_000 }, 48 * 3600_000);
    await vault.set(ctx(), address("age_1"), SecretValue.from("age-value-1"));
    await duringOutage(async () => {
      advance(24 * 3600_000 - 1000);
      await vault.set(ctx(), address("age_2"), SecretValue.from("age-value-2"));
      advance(1000);
      const before = await storedCounts();
      await expect(vault.set(ctx(), address("age_3"), SecretValue.from("age-value-3"))).rejects.toMatchObject(unavailable);
      expect(await storedCounts()).toEqual(before);
      expect((await vault.read(ctx(), address("age_2")))?.reveal()).toBe("age-value-2");
    });
  });

  it("reads a cached data key during an outage until LATCHKEY_DEK_CACHE_TTL_SECONDS, then fails with vault_unavailable and returns nothing", async () => {
    const { vault, advance } = clockedVault({}, 300_000);
    await vault.set(ctx(), address("ttl_1"), SecretValue.from("ttl-value-1"));
    await duringOutage(async () => {
      advance(299_000);
      expect((await vault.read(ctx(), address("ttl_1")))?.reveal()).toBe("ttl-value-1");
      advance(1000);
      await expect(vault.read(ctx(), address("ttl_1"))).rejects.toMatchObject(unavailable);
      // Writes are bounded by the data key's value count and age, not the cache TTL: this one still succeeds,
      // and reading it back needs the KMS like any value whose data key left the cache.
      await vault.set(ctx(), address("ttl_2"), SecretValue.from("ttl-value-2"));
      await expect(vault.read(ctx(), address("ttl_2"))).rejects.toMatchObject(unavailable);
    });
    expect((await vault.read(ctx(), address("ttl_1")))?.reveal()).toBe("ttl-value-1");
    expect((await vault.read(ctx(), address("ttl_2")))?.reveal()).toBe("ttl-value-2");
  });

  it("switches to a new KMS key by re-wrapping data keys with ReEncrypt; values stay readable", async () => {
    const { vault } = buildVault(database.db, kmsKeyring(kms, endpoint, keyId));
    await vault.set(ctx(), address("survives_rotation"), SecretValue.from("rotated-under-kms"));
    const newKey = kms.createKey();
    const next = buildVault(database.db, kmsKeyring(kms, endpoint, newKey));
    const result = await rotateKeys(database.db, next.dataKeys, { actor: { kind: "system", id: "test" }, source: { kind: "cli" } });
    expect(result.toKekId).toBe(newKey);
    expect(result.rewrapped).toBeGreaterThan(0);
    const reencrypt = kms.callsTo("ReEncrypt").at(-1)?.body as {
      DestinationKeyId?: string;
      SourceEncryptionContext?: Record<string, string>;
    };
    expect(reencrypt.DestinationKeyId).toBe(newKey);
    expect(reencrypt.SourceEncryptionContext?.purpose).toBe("latchkey:data-key");
    kms.disableKey(keyId);
    const fresh = buildVault(database.db, kmsKeyring(kms, endpoint, newKey));
    expect((await fresh.vault.read(ctx(), address("survives_rotation")))?.reveal()).toBe("rotated-under-kms");
    expect((await fresh.vault.read(ctx(), address("bulk_42")))?.reveal()).toBe("bulk-value-42");
  });
});
