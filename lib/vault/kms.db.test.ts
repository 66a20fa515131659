import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretValue } from "@/lib/crypto";
import { dataKeys as dataKeysTable, secretVersions, secrets } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { startFakeKms, type FakeKmsServer } from "@/test/kms-server";
import { buildVault, kmsKeyring, seedOwners, uiContext } from "@/test/vault";
import { rotateKeys } from "./key-rotation";
import type { SecretAddress } from "./vault";

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

  it("fails closed when KMS is down: writes store nothing, cached reads keep working", async () => {
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
