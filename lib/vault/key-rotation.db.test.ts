import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretValue, type LocalKeyring } from "@/lib/crypto";
import { auditEvents, dataKeys as dataKeysTable } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring, seedOwners, uiContext } from "@/test/vault";
import { retireKek, rotateKeys } from "./key-rotation";
import type { SecretAddress } from "./vault";

const SECRETS = 10_000;

let database: TestDatabase;
let keyring: LocalKeyring;
let owners: Awaited<ReturnType<typeof seedOwners>>;

beforeAll(async () => {
  database = await openTestDatabase();
  owners = await seedOwners(database.db);
  keyring = await localKeyring();
});
afterAll(async () => {
  await database.close();
});

/** Runs `task` over 0..n-1 with bounded concurrency. */
async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

const address = (i: number): SecretAddress => ({
  extensionId: owners.extensionId,
  scope: "user",
  ownerId: owners.userId,
  name: `secret_${i}`,
});

describe(`key rotation over ${SECRETS.toLocaleString()} secrets (${process.env.TEST_DB_DRIVER ?? "pglite"})`, () => {
  it("re-wraps every data key under a new KEK; after retiring the old one every secret still reads", async () => {
    // Small DEK batches so the rotation has many data keys to move, as a long-lived deployment would.
    const writer = buildVault(database.db, keyring, { policy: { maxValues: 250 } });
    const ctx = uiContext(owners.userId);
    await pool(SECRETS, 16, async (i) => {
      await writer.vault.set(ctx, address(i), SecretValue.from(`value-${i}-${"x".repeat(i % 40)}`));
    });
    const before = await database.db.select().from(dataKeysTable);
    expect(before.length).toBeGreaterThanOrEqual(SECRETS / 250);
    expect(new Set(before.map((d) => d.kekId))).toEqual(new Set(["local:v1"]));

    const progress: number[] = [];
    const result = await rotateKeys(
      database.db,
      writer.dataKeys,
      { actor: { kind: "system", id: "test" }, source: { kind: "cli" } },
      { batchSize: 7, onProgress: (done) => progress.push(done) },
    );
    expect(result).toMatchObject({ fromKekId: "local:v1", toKekId: "local:v2", rewrapped: before.length });
    expect(progress.at(-1)).toBe(before.length);
    expect(progress.length).toBeGreaterThan(2);
    const after = await database.db.select().from(dataKeysTable);
    expect(new Set(after.map((d) => d.kekId))).toEqual(new Set(["local:v2"]));

    await retireKek(writer.dataKeys, "local:v1");
    const reader = buildVault(database.db, keyring);
    let readable = 0;
    await pool(SECRETS, 16, async (i) => {
      const value = await reader.vault.read(ctx, address(i));
      if (value?.reveal() === `value-${i}-${"x".repeat(i % 40)}`) readable++;
    });
    expect(readable).toBe(SECRETS);
    await reader.reads.flush();

    const [event] = await database.db.select().from(auditEvents).where(eq(auditEvents.action, "key.rotate"));
    expect(event).toMatchObject({ actorKind: "system", sourceKind: "cli", outcome: "success" });
    expect(event?.details).toMatchObject({ from_kek: "local:v1", to_kek: "local:v2", deks_rewrapped: before.length });
    // 20,000 vault operations: a correctness test, given room for a slow shared CI machine.
  }, 900_000);

  it("refuses to retire a KEK that still wraps data keys", async () => {
    const { dataKeys } = buildVault(database.db, keyring);
    await expect(retireKek(dataKeys, "local:v2")).rejects.toThrow(/current KEK|still wraps/);
  });
});
