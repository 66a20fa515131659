// The vault: secrets addressed scope.name within an extension, versioned, sealed with AES-256-GCM
// under data keys. Every write and its audit event share one transaction; reads are audited through
// a batching recorder so they cost no synchronous write.
import { hkdfSync } from "node:crypto";
import { and, eq, isNotNull, isNull, lt, lte, sql } from "drizzle-orm";
import type { Logger } from "pino";
import { CryptoError, SecretValue, open, seal, type ValueAad } from "@/lib/crypto";
import { appendAuditEvents, type AuditActor, type AuditAppender, type AuditSource } from "@/lib/audit/events";
import { recordRefusal } from "@/lib/audit/failures";
import type { ReadRecorder } from "@/lib/audit/read-recorder";
import type { Db, Tx } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { logger as defaultLogger } from "@/lib/logger";
import { timeVaultOperation } from "@/lib/core/metrics";
import { extensions, secretVersions, secrets, systemKeys, type SecretScope } from "@/lib/db/schema";
import type { DataKeys } from "@/lib/crypto/data-keys";
import { unavailable } from "@/lib/crypto/data-keys";
import { VaultError } from "@/lib/crypto/vault-error";

export interface SecretAddress {
  extensionId: string;
  scope: SecretScope;
  /** The extension (ext), organization (org) or user (user) the value belongs to. */
  ownerId: string;
  name: string;
}

/** One value for `Vault.writeAll`: `set` replaces the value, `rotate` keeps the previous one for the grace period. */
export interface SecretWrite {
  kind: "set" | "rotate";
  address: SecretAddress;
  value: SecretValue;
  /** The declared limit (at most VAULT_MAX_BYTES, which also applies without one). */
  limits?: { maxBytes?: number };
}

/** Who is acting, from where, and in which organization (for the audit trail). */
export interface OperationContext {
  actor: AuditActor;
  source: AuditSource;
  orgId?: string | null;
}

export interface SecretStatus {
  name: string;
  scope: SecretScope;
  isSet: boolean;
  currentVersion: number | null;
  rotationCount: number;
  lastRotatedAt: Date | null;
  lastSetAt: Date | null;
  lastReadAt: Date | null;
  byteLength: number | null;
}

export interface VaultOptions {
  db: Db;
  dataKeys: DataKeys;
  reads: ReadRecorder;
  /** How long a rotated-out version stays readable. */
  graceMs: number;
  /** The clock (default: the system's): write times and the grace period are computed from it. */
  now?: () => Date;
  /** Overridable for tests that prove a failed audit write stops the change. */
  appendAudit?: AuditAppender;
  logger?: Logger;
}

export const SECRET_NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** The largest value the vault stores at all; declarations set smaller limits per secret. */
export const VAULT_MAX_BYTES = 65_536;

const target = (a: SecretAddress) => `${a.scope}.${a.name}`;

/**
 * What a key derived by `Vault.auditKey` is for. Each purpose has its own HKDF label, so a key of one
 * purpose says nothing about another's.
 * - `fingerprint`: the HMAC key of value fingerprints in audit details, one per tenant.
 * - `pseudonym`: the key of the pseudonyms a publisher's audit view shows for other organizations' people.
 */
export type AuditKeyPurpose = "fingerprint" | "pseudonym";

/**
 * Whose values a fingerprint is comparable within (recorded beside it as `details.fingerprint_scope`):
 * partner credentials per publisher, `org.*` values per organization, `user.*` values per person. Events
 * written before fingerprints were keyed per tenant have no `fingerprint_scope`; theirs came from one
 * platform-wide key and are not comparable with the newer ones.
 */
export type FingerprintScope = "publisher" | "org" | "user";

// A bound on the extension → publisher memo; the mapping never changes, so the memo is only reset when full.
const PUBLISHER_MEMO_MAX = 10_000;

export class Vault {
  readonly #db: Db;
  readonly #keys: DataKeys;
  readonly #reads: ReadRecorder;
  readonly #graceMs: number;
  readonly #now: () => Date;
  readonly #appendAudit: AuditAppender;
  readonly #log: Logger;
  #fingerprintKey: Promise<Buffer> | undefined;
  readonly #publisherOf = new Map<string, string>();
  #lookups: Record<"current" | "previous", ReturnType<typeof prepareLookup>> | undefined;

  constructor(options: VaultOptions) {
    this.#db = options.db;
    this.#keys = options.dataKeys;
    this.#reads = options.reads;
    this.#graceMs = options.graceMs;
    this.#now = options.now ?? (() => new Date());
    this.#appendAudit = options.appendAudit ?? appendAuditEvents;
    this.#log = options.logger ?? defaultLogger;
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
    const seen = new Set<string>();
    for (const { kind, address, value, limits } of writes) {
      checkName(address.name);
      const maxBytes = Math.min(limits?.maxBytes ?? VAULT_MAX_BYTES, VAULT_MAX_BYTES);
      const refused = { byte_length: value.byteLength, max_bytes: maxBytes };
      if (value.byteLength === 0) {
        throw this.#refused(
          ctx,
          kind,
          address,
          new VaultError("secret_value_empty", `${target(address)} cannot be set to an empty value.`),
          refused,
        );
      }
      if (value.byteLength > maxBytes) {
        throw this.#refused(
          ctx,
          kind,
          address,
          new VaultError(
            "secret_value_too_large",
            `${target(address)} is limited to ${maxBytes} bytes; the value has ${value.byteLength}.`,
          ),
          refused,
        );
      }
      if (seen.has(lockKey(address))) throw new Error(`${target(address)} is written twice in one batch`);
      seen.add(lockKey(address));
    }
    if (writes.length === 0) return [];
    // Key material first, outside the transaction: if the KMS is down nothing is written at all.
    const prepared = await Promise.all(
      writes.map(async ({ kind, address, value }, index) => {
        const [dek, fingerprint] = await Promise.all([this.#keys.forWrite(), this.#fingerprint(address, value)]);
        return { index, kind, address, value, dek, fingerprint };
      }),
    );
    const inLockOrder = [...prepared].sort((a, b) => (lockKey(a.address) < lockKey(b.address) ? -1 : 1));
    const now = this.#now();
    const results = await this.#db.transaction(async (tx) => {
      const stored: { version: number; rotationCount: number }[] = [];
      for (const { index, kind, address, value, dek, fingerprint } of inLockOrder) {
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
              .set({ supersededAt: now, readableUntil: new Date(now.getTime() + this.#graceMs) })
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
        await this.#appendAudit(tx, [
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
        stored[index] = { version, rotationCount };
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
    const rows = await this.#db
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
      .where(and(eq(secrets.extensionId, extensionId), eq(secrets.scope, scope), eq(secrets.ownerId, ownerId)))
      .orderBy(secrets.name);
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
    const master = await this.#getFingerprintKey();
    return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), `latchkey/audit/${purpose}/v1\0${tenant}`, length));
  }

  /** The value's audit fingerprint under its tenant's key (see FingerprintScope). */
  async #fingerprint(address: SecretAddress, value: SecretValue): Promise<{ value: string; scope: FingerprintScope }> {
    const tenant = await this.#fingerprintTenant(address);
    const key = await this.auditKey("fingerprint", `${tenant.scope}:${tenant.id}`);
    try {
      return { value: value.fingerprint(key), scope: tenant.scope };
    } finally {
      key.fill(0);
    }
  }

  /**
   * The tenant a value's fingerprint is keyed for: the extension's publisher for partner credentials; for
   * org and user values the organization or person *as seen by that publisher*, so two publishers (who
   * both read their extensions' audit events) cannot match one person's or organization's values across
   * them, while equal values of one owner under one publisher still match.
   */
  async #fingerprintTenant(address: SecretAddress): Promise<{ scope: FingerprintScope; id: string }> {
    const publisher = await this.#publisherTenant(address);
    if (address.scope === "org" || address.scope === "user") return { scope: address.scope, id: `${publisher}:${address.ownerId}` };
    return { scope: "publisher", id: publisher };
  }

  /** The publisher of the value's extension (memoised), or a stand-in naming an unknown extension. */
  async #publisherTenant(address: SecretAddress): Promise<string> {
    let publisherId = this.#publisherOf.get(address.extensionId);
    if (!publisherId && isUuid(address.extensionId)) {
      const [row] = await this.#db
        .select({ publisherId: extensions.publisherId })
        .from(extensions)
        .where(eq(extensions.id, address.extensionId));
      // An unknown extension fails the write at its foreign key; its fingerprint is never stored.
      if (!row) return `extension:${address.extensionId}`;
      publisherId = row.publisherId;
      if (this.#publisherOf.size >= PUBLISHER_MEMO_MAX) this.#publisherOf.clear();
      this.#publisherOf.set(address.extensionId, publisherId);
    }
    return publisherId ?? `extension:${address.extensionId}`;
  }

  /**
   * The master key behind audit fingerprints and pseudonyms: a random key sealed like any value and
   * created on first use, so neither can be recomputed from the audit log alone. Events written before
   * per-tenant keys used it directly as their fingerprints' HMAC key; those rows are never rewritten.
   */
  #getFingerprintKey(): Promise<Buffer> {
    this.#fingerprintKey ??= this.#loadFingerprintKey().catch((error) => {
      this.#fingerprintKey = undefined;
      throw error;
    });
    return this.#fingerprintKey;
  }

  async #loadFingerprintKey(): Promise<Buffer> {
    const purpose = "audit-fingerprint";
    const aad = (dekId: string): ValueAad => ({
      secretId: `system:${purpose}`,
      scope: "ext",
      owner: "system",
      name: purpose,
      version: 1,
      dekId,
    });
    const load = async () => {
      const [row] = await this.#db.select().from(systemKeys).where(eq(systemKeys.purpose, purpose));
      if (!row) return null;
      return open(await this.#keys.unwrap(row.dekId), row.ciphertext, aad(row.dekId));
    };
    const existing = await load();
    if (existing) return existing;
    const dek = await this.#keys.forWrite();
    const fresh = crypto.getRandomValues(Buffer.alloc(32));
    await this.#db
      .insert(systemKeys)
      .values({ purpose, dekId: dek.id, ciphertext: seal(dek.key, fresh, aad(dek.id)) })
      .onConflictDoNothing();
    // Another process may have won the race; whichever row exists is the key.
    const stored = await load();
    if (!stored) throw new Error("fingerprint key missing after creation");
    return stored;
  }
}

function checkName(name: string) {
  if (!SECRET_NAME.test(name)) {
    throw new VaultError(
      "invalid_secret_name",
      `"${name}" is not a valid secret name: use a lowercase letter, then up to 62 lowercase letters, digits or underscores.`,
    );
  }
}

/** A secret's identity as one string: batches lock rows in this order. */
function lockKey(a: SecretAddress): string {
  return `${a.extensionId}\0${a.scope}\0${a.ownerId}\0${a.name}`;
}

function orgOf(ctx: OperationContext, address: SecretAddress): string | null {
  return ctx.orgId ?? (address.scope === "org" ? address.ownerId : null);
}

function addressMatch(address: SecretAddress) {
  return and(
    eq(secrets.extensionId, address.extensionId),
    eq(secrets.scope, address.scope),
    eq(secrets.ownerId, address.ownerId),
    eq(secrets.name, address.name),
  );
}

/** The version to open for an address: the current one, or the newest rotated-out one still in its grace period. */
function prepareLookup(db: Db, which: "current" | "previous") {
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

function aadFor(secretId: string, address: SecretAddress, version: number, dekId: string): ValueAad {
  return { secretId, scope: address.scope, owner: address.ownerId, name: address.name, version, dekId };
}

/** Locks the secret's row for this transaction (creating it first for writes), serializing writers. */
async function lockSecret(tx: Tx, address: SecretAddress, create: boolean) {
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

async function shredExpired(tx: Tx, secretId: string, now: Date) {
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
