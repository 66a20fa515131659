// Audit fingerprints are keyed per tenant (issue 12, item 11): the same value set by two organizations
// (or two publishers, or two people) has two unrelated fingerprints, so nobody reading the log can tell
// they share a key; within one tenant equal values still match, which is what a fingerprint is for.
import { desc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretValue, type Keyring } from "@/lib/crypto";
import { auditEvents } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring, seedOwners, uiContext } from "@/test/vault";
import type { SecretAddress, Vault } from "./vault";

let database: TestDatabase;
let keyring: Keyring;
let one: Awaited<ReturnType<typeof seedOwners>>;
let two: Awaited<ReturnType<typeof seedOwners>>;
let shared: Vault;

beforeAll(async () => {
  database = await openTestDatabase();
  keyring = await localKeyring();
  one = await seedOwners(database.db, "fp1");
  two = await seedOwners(database.db, "fp2");
  shared = buildVault(database.db, keyring).vault;
});
afterAll(async () => {
  await database.close();
});

const SAME = "sk_live_shared_between_tenants";

/** Sets the value and returns the fingerprint and scope its audit event (the newest one) recorded. */
async function fingerprintOf(address: SecretAddress, value = SAME, vault = shared) {
  await vault.set(uiContext(one.userId), address, SecretValue.from(value));
  const [event] = await database.db
    .select({ action: auditEvents.action, target: auditEvents.target, details: auditEvents.details })
    .from(auditEvents)
    .orderBy(desc(auditEvents.id))
    .limit(1);
  expect(event).toMatchObject({ action: "secret.set", target: `${address.scope}.${address.name}`, details: { owner: address.ownerId } });
  return { fingerprint: event?.details.fingerprint, scope: event?.details.fingerprint_scope };
}

describe(`per-tenant audit fingerprints (${process.env.TEST_DB_DRIVER ?? "pglite"})`, () => {
  it("differ between two organizations setting the same value, and match within one", async () => {
    const address = (orgId: string, name: string): SecretAddress => ({ extensionId: one.extensionId, scope: "org", ownerId: orgId, name });
    const first = await fingerprintOf(address(one.orgId, "api_key"));
    const again = await fingerprintOf(address(one.orgId, "api_key"));
    const otherSecret = await fingerprintOf(address(one.orgId, "backup_key"));
    const otherOrg = await fingerprintOf(address(two.orgId, "api_key"));
    expect(first.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(first.scope).toBe("org");
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(otherSecret.fingerprint).toBe(first.fingerprint);
    expect(otherOrg.fingerprint).not.toBe(first.fingerprint);
    // A different value in the same organization does not match either.
    expect((await fingerprintOf(address(one.orgId, "api_key"), `${SAME}-2`)).fingerprint).not.toBe(first.fingerprint);
  });

  it("are keyed per publisher for partner credentials, across its extensions", async () => {
    const ext = (extensionId: string): SecretAddress => ({ extensionId, scope: "ext", ownerId: extensionId, name: "client_secret" });
    const mine = await fingerprintOf(ext(one.extensionId));
    const mySecondExtension = await fingerprintOf(ext(one.otherExtensionId));
    const otherPublisher = await fingerprintOf(ext(two.extensionId));
    expect(mine.scope).toBe("publisher");
    expect(mySecondExtension.fingerprint).toBe(mine.fingerprint);
    expect(otherPublisher.fingerprint).not.toBe(mine.fingerprint);
  });

  it("are keyed per person for user secrets", async () => {
    const user = (userId: string): SecretAddress => ({ extensionId: one.extensionId, scope: "user", ownerId: userId, name: "token" });
    const first = await fingerprintOf(user(one.userId));
    const again = await fingerprintOf(user(one.userId));
    const someoneElse = await fingerprintOf(user(two.userId));
    expect(first.scope).toBe("user");
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(someoneElse.fingerprint).not.toBe(first.fingerprint);
  });

  it("are the same in every process: derived from the one sealed key, not per vault object", async () => {
    const address: SecretAddress = { extensionId: two.extensionId, scope: "org", ownerId: two.orgId, name: "stable_key" };
    const a = await fingerprintOf(address, SAME, buildVault(database.db, keyring).vault);
    const b = await fingerprintOf(address, SAME, buildVault(database.db, keyring).vault);
    expect(b.fingerprint).toBe(a.fingerprint);
  });
  it("differ for one person's same value under two publishers, so publishers cannot link their pseudonyms", async () => {
    const user = (extensionId: string, name: string): SecretAddress => ({ extensionId, scope: "user", ownerId: one.userId, name });
    const underOne = await fingerprintOf(user(one.extensionId, "personal_token"));
    const underOneAgain = await fingerprintOf(user(one.extensionId, "other_token"));
    const underTwo = await fingerprintOf(user(two.extensionId, "personal_token"));
    expect(underOneAgain.fingerprint).toBe(underOne.fingerprint);
    expect(underTwo.fingerprint).not.toBe(underOne.fingerprint);
  });
});
