// The rows behind the vault: secret names checked, addresses matched and locked, versions looked up,
// value AADs, and expired versions shredded.
import { and, eq, isNotNull, isNull, lt, lte, sql } from "drizzle-orm";
import { type ValueAad } from "@/lib/crypto";
import type { Db, Tx } from "@/lib/db/client";
import { secretVersions, secrets } from "@/lib/db/schema";
import { VaultError } from "@/lib/crypto/vault-error";
import type { OperationContext, SecretAddress } from "./vault-types";
import { SECRET_NAME } from "./vault-types";

/** A secret's `scope.name`, as audit events and messages name it. */
export const target = (a: SecretAddress) => `${a.scope}.${a.name}`;

export function checkName(name: string) {
  if (!SECRET_NAME.test(name)) {
    throw new VaultError(
      "invalid_secret_name",
      `"${name}" is not a valid secret name: use a lowercase letter, then up to 62 lowercase letters, digits or underscores.`,
    );
  }
}

/** A secret's identity as one string: batches lock rows in this order. */
export function lockKey(a: SecretAddress): string {
  return `${a.extensionId}\0${a.scope}\0${a.ownerId}\0${a.name}`;
}

export function orgOf(ctx: OperationContext, address: SecretAddress): string | null {
  return ctx.orgId ?? (address.scope === "org" ? address.ownerId : null);
}

export function addressMatch(address: SecretAddress) {
  return and(
    eq(secrets.extensionId, address.extensionId),
    eq(secrets.scope, address.scope),
    eq(secrets.ownerId, address.ownerId),
    eq(secrets.name, address.name),
  );
}

/** The version to open for an address: the current one, or the newest rotated-out one still in its grace period. */
export function prepareLookup(db: Db, which: "current" | "previous") {
  const versionMatch =
    which === "current"
      ? eq(secretVersions.version, secrets.currentVersion)
      : and(
          lt(secretVersions.version, secrets.currentVersion),
          isNotNull(secretVersions.readableUntil),
          sql`${secretVersions.readableUntil} > ${sql.placeholder("now")}::timestamptz`,
        );
  return db
    .select({ secretId: secrets.id, version: secretVersions.version, dekId: secretVersions.dekId, ciphertext: secretVersions.ciphertext })
    .from(secrets)
    .innerJoin(secretVersions, and(eq(secretVersions.secretId, secrets.id), versionMatch))
    .where(
      and(
        eq(secrets.extensionId, sql.placeholder("extensionId")),
        eq(secrets.scope, sql.placeholder("scope")),
        eq(secrets.ownerId, sql.placeholder("ownerId")),
        eq(secrets.name, sql.placeholder("name")),
      ),
    )
    .orderBy(sql`${secretVersions.version} desc`)
    .limit(1)
    .prepare(`vault_lookup_${which}`);
}

/**
 * The status of every stored secret of one owner within an extension (never values), prepared once per
 * vault: the runtime API lists on every readiness check and secret listing, where building the query
 * costs more than running it. Placeholders: extensionId, scope, ownerId.
 */
export function prepareList(db: Db) {
  return db
    .select({
      name: secrets.name,
      scope: secrets.scope,
      currentVersion: secrets.currentVersion,
      rotationCount: secrets.rotationCount,
      lastRotatedAt: secrets.lastRotatedAt,
      lastSetAt: secrets.lastSetAt,
      lastReadAt: secrets.lastReadAt,
      byteLength: secretVersions.byteLength,
    })
    .from(secrets)
    .leftJoin(secretVersions, and(eq(secretVersions.secretId, secrets.id), eq(secretVersions.version, secrets.currentVersion)))
    .where(
      and(
        eq(secrets.extensionId, sql.placeholder("extensionId")),
        eq(secrets.scope, sql.placeholder("scope")),
        eq(secrets.ownerId, sql.placeholder("ownerId")),
      ),
    )
    .orderBy(secrets.name)
    .prepare("vault_list");
}

export function aadFor(secretId: string, address: SecretAddress, version: number, dekId: string): ValueAad {
  return { secretId, scope: address.scope, owner: address.ownerId, name: address.name, version, dekId };
}

/** Locks the secret's row for this transaction (creating it first for writes), serializing writers. */
export async function lockSecret(tx: Tx, address: SecretAddress, create: boolean) {
  if (create) {
    // An upsert that touches the row takes its lock and returns it in one round trip.
    const [row] = await tx
      .insert(secrets)
      .values(address)
      .onConflictDoUpdate({
        target: [secrets.extensionId, secrets.scope, secrets.ownerId, secrets.name],
        set: { updatedAt: sql`${secrets.updatedAt}` },
      })
      .returning();
    return row ?? null;
  }
  const [row] = await tx.select().from(secrets).where(addressMatch(address)).for("update");
  return row ?? null;
}

export async function shredExpired(tx: Tx, secretId: string, now: Date) {
  await tx
    .update(secretVersions)
    .set({ ciphertext: null, destroyedAt: now })
    .where(
      and(
        eq(secretVersions.secretId, secretId),
        isNotNull(secretVersions.ciphertext),
        isNotNull(secretVersions.readableUntil),
        lte(secretVersions.readableUntil, now),
        isNull(secretVersions.destroyedAt),
      ),
    );
}
