// One batch of vault writes: every value checked before anything happens, then each stored as a new
// version (the previous one destroyed, or kept readable for the grace period on rotation) with its audit
// event, inside the batch's transaction (Vault.writeAll).
import { and, eq } from "drizzle-orm";
import { seal } from "@/lib/crypto";
import type { AuditAppender } from "@/lib/audit/events";
import type { Tx } from "@/lib/db/client";
import { secretVersions, secrets } from "@/lib/db/schema";
import { VaultError } from "@/lib/crypto/vault-error";
import { aadFor, checkName, lockKey, lockSecret, orgOf, shredExpired, target } from "./vault-rows";
import { VAULT_MAX_BYTES, type FingerprintScope, type OperationContext, type SecretAddress, type SecretWrite } from "./vault-types";

/** A write whose key material was fetched before the transaction: its write key and the value's fingerprint. */
export interface PreparedWrite extends Omit<SecretWrite, "limits"> {
  /** Its position in the batch as given. */
  index: number;
  dek: { id: string; key: Buffer };
  fingerprint: { value: string; scope: FingerprintScope };
}

/**
 * Checks every write of a batch (name, empty, max_bytes, an address given twice) before anything happens.
 * @throws VaultError from `refuse` (which records the refusal) for an empty or oversized value, or
 *   invalid_secret_name; a plain Error for an address written twice (a programming error)
 */
export function checkWrites(
  writes: readonly SecretWrite[],
  refuse: (kind: "set" | "rotate", address: SecretAddress, error: VaultError, details: Record<string, number>) => VaultError,
): void {
  const seen = new Set<string>();
  for (const { kind, address, value, limits } of writes) {
    checkName(address.name);
    const maxBytes = Math.min(limits?.maxBytes ?? VAULT_MAX_BYTES, VAULT_MAX_BYTES);
    const refused = { byte_length: value.byteLength, max_bytes: maxBytes };
    if (value.byteLength === 0) {
      throw refuse(kind, address, new VaultError("secret_value_empty", `${target(address)} cannot be set to an empty value.`), refused);
    }
    if (value.byteLength > maxBytes) {
      throw refuse(
        kind,
        address,
        new VaultError("secret_value_too_large", `${target(address)} is limited to ${maxBytes} bytes; the value has ${value.byteLength}.`),
        refused,
      );
    }
    if (seen.has(lockKey(address))) throw new Error(`${target(address)} is written twice in one batch`);
    seen.add(lockKey(address));
  }
}

/**
 * Stores one prepared write in the batch's transaction: locks (or creates) its secret row, seals the value
 * at the next version, retires the current version, and appends the audit event.
 * @throws VaultError secret_not_set when rotating a secret that has no value
 */
export async function storeVersion(
  tx: Tx,
  ctx: OperationContext,
  { kind, address, value, dek, fingerprint }: PreparedWrite,
  opts: { now: Date; graceMs: number; appendAudit: AuditAppender },
): Promise<{ version: number; rotationCount: number }> {
  const now = opts.now;
  const secret = await lockSecret(tx, address, true);
  if (!secret) throw new Error("secret row vanished under lock");
  if (kind === "rotate" && secret.currentVersion === null) {
    throw new VaultError("secret_not_set", `${target(address)} has no value to rotate; set it first.`);
  }
  const version = secret.latestVersion + 1;
  const aad = aadFor(secret.id, address, version, dek.id);
  const plaintext = value.revealBytes();
  const ciphertext = seal(dek.key, plaintext, aad);
  plaintext.fill(0);

  if (secret.currentVersion !== null) {
    const previous = and(eq(secretVersions.secretId, secret.id), eq(secretVersions.version, secret.currentVersion));
    if (kind === "rotate") {
      await tx
        .update(secretVersions)
        .set({ supersededAt: now, readableUntil: new Date(now.getTime() + opts.graceMs) })
        .where(previous);
    } else {
      await tx.update(secretVersions).set({ supersededAt: now, ciphertext: null, destroyedAt: now }).where(previous);
    }
  }
  await shredExpired(tx, secret.id, now);
  await tx.insert(secretVersions).values({ secretId: secret.id, version, dekId: dek.id, ciphertext, byteLength: value.byteLength });
  const rotationCount = secret.rotationCount + (kind === "rotate" ? 1 : 0);
  await tx
    .update(secrets)
    .set({
      currentVersion: version,
      latestVersion: version,
      rotationCount,
      lastSetAt: now,
      updatedAt: now,
      ...(kind === "rotate" ? { lastRotatedAt: now } : {}),
    })
    .where(eq(secrets.id, secret.id));
  await opts.appendAudit(tx, [
    {
      actor: ctx.actor,
      source: ctx.source,
      action: `secret.${kind}`,
      target: target(address),
      extensionId: address.extensionId,
      orgId: orgOf(ctx, address),
      occurredAt: now,
      details: {
        scope: address.scope,
        owner: address.ownerId,
        version,
        byte_length: value.byteLength,
        fingerprint: fingerprint.value,
        fingerprint_scope: fingerprint.scope,
      },
    },
  ]);
  return { version, rotationCount };
}
