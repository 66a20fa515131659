// The vault: secrets addressed scope.name within an extension, versioned, sealed with AES-256-GCM
// under data keys. Every write and its audit event share one transaction; reads are audited through
// a batching recorder so they cost no synchronous write.
import { and, eq, isNotNull, lte } from "drizzle-orm";
import type { Logger } from "pino";
import { CryptoError, SecretValue, open } from "@/lib/crypto";
import { appendAuditEvents, type AuditAppender } from "@/lib/audit/events";
import { recordRefusal } from "@/lib/audit/failures";
import type { ReadRecorder } from "@/lib/audit/read-recorder";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { logger as defaultLogger } from "@/lib/logger";
import { timeVaultOperation } from "@/lib/core/metrics";
import { secretVersions, secrets, type SecretScope } from "@/lib/db/schema";
import type { DataKeys } from "@/lib/crypto/data-keys";
import { unavailable } from "@/lib/crypto/data-keys";
import { VaultError } from "@/lib/crypto/vault-error";
import { AuditKeys } from "./audit-keys";
import { checkWrites, storeVersion } from "./vault-write";
import { aadFor, checkName, lockKey, lockSecret, orgOf, prepareList, prepareLookup, target } from "./vault-rows";
import {
  type AuditKeyPurpose,
  type OperationContext,
  type SecretAddress,
  type SecretStatus,
  type SecretWrite,
  type VaultOptions,
} from "./vault-types";

export {
  SECRET_NAME,
  VAULT_MAX_BYTES,
  type AuditKeyPurpose,
  type FingerprintScope,
  type OperationContext,
  type SecretAddress,
  type SecretStatus,
  type SecretWrite,
  type VaultOptions,
} from "./vault-types";

export class Vault {
  readonly #db: Db;
  readonly #keys: DataKeys;
  readonly #reads: ReadRecorder;
  readonly #graceMs: number;
  readonly #now: () => Date;
  readonly #appendAudit: AuditAppender;
  readonly #log: Logger;
  readonly #auditKeys: AuditKeys;
  #lookups: Record<"current" | "previous", ReturnType<typeof prepareLookup>> | undefined;
  #listing: ReturnType<typeof prepareList> | undefined;

  constructor(options: VaultOptions) {
    this.#db = options.db;
    this.#keys = options.dataKeys;
    this.#reads = options.reads;
    this.#graceMs = options.graceMs;
    this.#now = options.now ?? (() => new Date());
    this.#appendAudit = options.appendAudit ?? appendAuditEvents;
    this.#log = options.logger ?? defaultLogger;
    this.#auditKeys = new AuditKeys(options.db, options.dataKeys);
  }

  get dataKeys(): DataKeys {
    return this.#keys;
  }

  /** The batching recorder of read events, for other credential reads (e.g. OAuth tokens handed out). */
  get reads(): ReadRecorder {
    return this.#reads;
  }

  /** Writes a new version; the previous one is destroyed at once ("the old value is immediately replaced"). */
  set(ctx: OperationContext, address: SecretAddress, value: SecretValue, limits: { maxBytes?: number } = {}) {
    return this.#write("set", ctx, address, value, limits);
  }

  /** Writes a new version atomically and records the rotation; the previous one stays readable for the grace period. */
  rotate(ctx: OperationContext, address: SecretAddress, value: SecretValue, limits: { maxBytes?: number } = {}) {
    return this.#write("rotate", ctx, address, value, limits);
  }

  async #write(
    kind: "set" | "rotate",
    ctx: OperationContext,
    address: SecretAddress,
    value: SecretValue,
    limits: { maxBytes?: number },
  ): Promise<{ version: number; rotationCount: number }> {
    const [result] = await this.writeAll(ctx, [{ kind, address, value, limits }]);
    if (!result) throw new Error("a write returned no result");
    return result;
  }

  /**
   * Writes several values together: each is its own `set` or `rotate` with its own audit event, and all
   * share one transaction, so either every value is stored or none is. Every value is checked (name,
   * empty, max_bytes) and all key material fetched before the transaction opens, so a refused value or a
   * KMS outage writes nothing; a failure inside (a database error, an audit event that cannot be written)
   * rolls every write back. Rows are locked in address order, so batches over the same secrets cannot
   * deadlock. Returns each write's version in the order given. Throws VaultError (invalid_secret_name,
   * secret_value_empty, secret_value_too_large, secret_not_set for rotating an unset secret,
   * vault_unavailable) naming the secret; an address given twice is a programming error (plain Error).
   */
  writeAll(ctx: OperationContext, writes: readonly SecretWrite[]): Promise<{ version: number; rotationCount: number }[]> {
    const kinds = new Set(writes.map((w) => w.kind));
    const operation = kinds.size === 1 ? (writes[0]?.kind ?? "set") : "write";
    return timeVaultOperation(operation, () => this.#writeAll(ctx, writes), undefined, Math.max(1, writes.length));
  }

  async #writeAll(ctx: OperationContext, writes: readonly SecretWrite[]): Promise<{ version: number; rotationCount: number }[]> {
    checkWrites(writes, (kind, address, error, details) => this.#refused(ctx, kind, address, error, details));
    if (writes.length === 0) return [];
    // Key material first, outside the transaction: if the KMS is down nothing is written at all.
    const prepared = await Promise.all(
      writes.map(async ({ kind, address, value }, index) => {
        const [dek, fingerprint] = await Promise.all([this.#keys.forWrite(), this.#auditKeys.fingerprint(address, value)]);
        return { index, kind, address, value, dek, fingerprint };
      }),
    );
    const inLockOrder = [...prepared].sort((a, b) => (lockKey(a.address) < lockKey(b.address) ? -1 : 1));
    const now = this.#now();
    const results = await this.#db.transaction(async (tx) => {
      const stored: { version: number; rotationCount: number }[] = [];
      for (const write of inLockOrder) {
        stored[write.index] = await storeVersion(tx, ctx, write, { now, graceMs: this.#graceMs, appendAudit: this.#appendAudit });
      }
      return stored;
    });
    prepared.forEach(({ kind, address, value }, index) => {
      this.#log.info(
        {
          action: `secret.${kind}`,
          target: target(address),
          extension: address.extensionId,
          owner: address.ownerId,
          ...results[index],
          byteLength: value.byteLength,
          actor: ctx.actor,
        },
        `secret ${kind === "set" ? "set" : "rotated"}`,
      );
    });
    return results;
  }

  /**
   * Queues the `failure` event of a write refused before it began (issue 12 item 10) and returns the
   * error to throw. It goes through the read recorder, in a transaction of its own: nothing of the
   * refused write is ever written, so there is no transaction for it to share. Details carry the code
   * and lengths, never the value.
   */
  #refused(ctx: OperationContext, kind: "set" | "rotate", address: SecretAddress, error: VaultError, details: Record<string, number>) {
    const orgId = orgOf(ctx, address);
    recordRefusal(this.#reads, {
      actor: ctx.actor,
      source: ctx.source,
      action: `secret.${kind}`,
      target: target(address),
      extensionId: isUuid(address.extensionId) ? address.extensionId : null,
      orgId: orgId && isUuid(orgId) ? orgId : null,
      outcome: "failure",
      details: { scope: address.scope, owner: address.ownerId, code: error.code, ...details },
    });
    return error;
  }

  /** Removes the value and every stored ciphertext of it (crypto-shred). */
  delete(ctx: OperationContext, address: SecretAddress): Promise<{ wasSet: boolean }> {
    return timeVaultOperation("delete", () => this.#delete(ctx, address));
  }

  async #delete(ctx: OperationContext, address: SecretAddress): Promise<{ wasSet: boolean }> {
    checkName(address.name);
    const now = this.#now();
    const result = await this.#db.transaction(async (tx) => {
      const secret = await lockSecret(tx, address, false);
      const wasSet = secret?.currentVersion != null;
      if (secret) {
        await tx
          .update(secretVersions)
          .set({ ciphertext: null, destroyedAt: now })
          .where(and(eq(secretVersions.secretId, secret.id), isNotNull(secretVersions.ciphertext)));
        await tx.update(secrets).set({ currentVersion: null, updatedAt: now }).where(eq(secrets.id, secret.id));
      }
      await this.#appendAudit(tx, [
        {
          actor: ctx.actor,
          source: ctx.source,
          action: "secret.delete",
          target: target(address),
          extensionId: address.extensionId,
          orgId: orgOf(ctx, address),
          occurredAt: now,
          details: { scope: address.scope, owner: address.ownerId, was_set: wasSet },
        },
      ]);
      return { wasSet };
    });
    this.#log.info(
      {
        action: "secret.delete",
        target: target(address),
        extension: address.extensionId,
        owner: address.ownerId,
        ...result,
        actor: ctx.actor,
      },
      "secret deleted",
    );
    return result;
  }

  /**
   * The current value (or, within the grace period after a rotation, the previous one), or null when
   * unset. A value that fails to open is an error, never a fallback to the stored bytes.
   */
  read(ctx: OperationContext, address: SecretAddress, options: { version?: "current" | "previous" } = {}): Promise<SecretValue | null> {
    return timeVaultOperation(
      "read",
      () => this.#read(ctx, address, options),
      (value) => (value ? "ok" : "not_found"),
    );
  }

  async #read(ctx: OperationContext, address: SecretAddress, options: { version?: "current" | "previous" }): Promise<SecretValue | null> {
    checkName(address.name);
    const which = options.version ?? "current";
    let row;
    try {
      row = await this.#findVersion(address, which);
    } catch (error) {
      throw unavailable(error);
    }
    const record = (found: boolean, version?: number) =>
      this.#reads.record({
        secretId: row?.secretId ?? null,
        event: {
          actor: ctx.actor,
          source: ctx.source,
          action: "secret.read",
          target: target(address),
          extensionId: address.extensionId,
          orgId: orgOf(ctx, address),
          details: {
            scope: address.scope,
            owner: address.ownerId,
            found,
            ...(version ? { version } : {}),
            ...(which === "previous" ? { previous: true } : {}),
          },
        },
      });
    if (!row?.ciphertext) {
      record(false);
      return null;
    }
    const key = await this.#keys.unwrap(row.dekId);
    try {
      const plaintext = open(key, row.ciphertext, aadFor(row.secretId, address, row.version, row.dekId));
      const value = SecretValue.from(plaintext);
      plaintext.fill(0);
      record(true, row.version);
      return value;
    } catch (error) {
      if (error instanceof CryptoError) {
        throw new VaultError("secret_integrity_failure", `${target(address)} failed its integrity check and was not returned.`, {
          cause: error,
        });
      }
      throw error;
    } finally {
      key.fill(0);
    }
  }

  async #findVersion(address: SecretAddress, which: "current" | "previous") {
    // Built once per vault: the read path is hot, and building the query costs more than running it.
    this.#lookups ??= { current: prepareLookup(this.#db, "current"), previous: prepareLookup(this.#db, "previous") };
    const { extensionId, scope, ownerId, name } = address;
    const [row] = await this.#lookups[which].execute({ extensionId, scope, ownerId, name, now: this.#now().toISOString() });
    return row;
  }

  /** Metadata of every stored secret of one owner within an extension; never values. */
  async list(extensionId: string, scope: SecretScope, ownerId: string): Promise<SecretStatus[]> {
    this.#listing ??= prepareList(this.#db);
    const rows = await this.#listing.execute({ extensionId, scope, ownerId });
    return rows.map((r) => ({ ...r, isSet: r.currentVersion !== null }));
  }

  async status(address: SecretAddress): Promise<SecretStatus | null> {
    const all = await this.list(address.extensionId, address.scope, address.ownerId);
    return all.find((s) => s.name === address.name) ?? null;
  }

  /** Destroys rotated-out versions whose grace period has ended (run periodically). */
  async shredExpiredVersions(): Promise<number> {
    const now = this.#now();
    const shredded = await this.#db
      .update(secretVersions)
      .set({ ciphertext: null, destroyedAt: now })
      .where(and(isNotNull(secretVersions.ciphertext), isNotNull(secretVersions.readableUntil), lte(secretVersions.readableUntil, now)))
      .returning({ version: secretVersions.version });
    return shredded.length;
  }

  /**
   * A key for one audit purpose and one tenant: HKDF-SHA256 (RFC 5869) over the platform's sealed audit
   * key, with `latchkey/audit/<purpose>/v1` and the tenant as the info. Equal inputs give equal keys in
   * every process; different tenants' keys are unrelated, so a fingerprint or pseudonym made for one
   * tenant cannot be matched against another's. The caller owns the returned buffer (zero-fill it when
   * done). The first call in a process unwraps the sealed key, so it fails with `vault_unavailable` while
   * the keyring is unreachable; later calls need no keyring.
   *
   * @param tenant e.g. `org:<uuid>`, `user:<uuid>`, `publisher:<uuid>`
   * @param length key length in bytes (at most 255 × 32)
   */
  async auditKey(purpose: AuditKeyPurpose, tenant: string, length = 32): Promise<Buffer> {
    return this.#auditKeys.key(purpose, tenant, length);
  }
}
