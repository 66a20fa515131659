// Data keys (DEKs): created through the keyring, stored wrapped, unwrapped into a bounded TTL cache.
// One DEK seals many values (up to a count and an age), so writes cost at most one KMS call per DEK
// and reads of cached DEKs cost none. Key rotation re-wraps DEKs, never values.
import { randomUUID } from "node:crypto";
import { and, asc, count, eq, gt, isNull, ne, sql } from "drizzle-orm";
import { CryptoError, KeyringUnavailableError, type DekCache, type EncryptionContext, type Keyring } from "@/lib/crypto";
import type { Db } from "@/lib/db/client";
import { dataKeys, secretVersions } from "@/lib/db/schema";
import { metrics, timeKeyringCall } from "@/lib/core/metrics";
import { VaultError } from "@/lib/crypto/vault-error";

export interface DataKeyPolicy {
  /** Values sealed under one DEK before a new one is made. */
  maxValues: number;
  /** Age after which a DEK is no longer used for new values. */
  maxAgeMs: number;
}

interface WriteKey {
  id: string;
  key: Buffer;
  kekId: string;
  uses: number;
  createdAt: number;
}

/** The keyring encryption context of a DEK: binds the wrapped key to its row. */
export const dekContext = (dekId: string): EncryptionContext => ({ purpose: "latchkey:data-key", dek_id: dekId });

/**
 * The vault error for a keyring failure. The keyring's own message (which KMS key, which operation, the
 * SDK's error) stays in `cause` for the log: it names infrastructure and is never served.
 */
export function unavailable(error: unknown): VaultError {
  return new VaultError("vault_unavailable", "The vault is unavailable: its keys cannot be reached right now. Try again shortly.", {
    cause: error,
  });
}

export class DataKeys {
  #writeKey: WriteKey | undefined;
  #creating: Promise<WriteKey> | undefined;
  readonly #unwrapping = new Map<string, Promise<Buffer>>();

  /** @param options.now the clock (ms since the epoch) that ages write keys; tests move it instead of waiting. */
  constructor(
    private readonly db: Db,
    readonly keyring: Keyring,
    readonly cache: DekCache,
    private readonly policy: DataKeyPolicy,
    private readonly options: { now?: () => number } = {},
  ) {}

  #now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * The DEK to seal the next value with. Call before opening the write's transaction: a new DEK row is
   * committed on its own, so a rolled-back write never leaves values pointing at a missing DEK.
   */
  async forWrite(): Promise<{ id: string; key: Buffer }> {
    const current = this.#writeKey;
    if (current && this.#usable(current)) {
      current.uses++;
      return { id: current.id, key: current.key };
    }
    // Single-flight: a burst of writes creates one DEK, not one each.
    this.#creating ??= this.#createWriteKey().finally(() => {
      this.#creating = undefined;
    });
    const created = await this.#creating;
    created.uses++;
    return { id: created.id, key: created.key };
  }

  #usable(key: WriteKey): boolean {
    return (
      key.uses < this.policy.maxValues && this.#now() - key.createdAt < this.policy.maxAgeMs && key.kekId === this.keyring.currentKekId()
    );
  }

  async #createWriteKey(): Promise<WriteKey> {
    const id = randomUUID();
    let generated;
    try {
      generated = await timeKeyringCall(this.keyring.kind, "generate_data_key", () => this.keyring.generateDataKey(dekContext(id)));
    } catch (error) {
      throw error instanceof KeyringUnavailableError ? unavailable(error) : error;
    }
    await this.db.insert(dataKeys).values({ id, keyring: this.keyring.kind, kekId: generated.kekId, wrapped: generated.wrapped });
    this.cache.set(id, generated.plaintext);
    const previous = this.#writeKey;
    if (previous) await this.db.update(dataKeys).set({ retiredAt: new Date() }).where(eq(dataKeys.id, previous.id));
    this.#writeKey = { id, key: Buffer.from(generated.plaintext), kekId: generated.kekId, uses: 0, createdAt: this.#now() };
    generated.plaintext.fill(0);
    return this.#writeKey;
  }

  /** The plaintext DEK for opening a value: from the cache, or unwrapped once through the keyring. */
  async unwrap(dekId: string): Promise<Buffer> {
    const cached = this.cache.get(dekId);
    metrics().dekCache.inc({ result: cached ? "hit" : "miss" });
    if (cached) return cached;
    let pending = this.#unwrapping.get(dekId);
    if (!pending) {
      pending = this.#unwrapFromStore(dekId).finally(() => this.#unwrapping.delete(dekId));
      this.#unwrapping.set(dekId, pending);
    }
    return Buffer.from(await pending);
  }

  async #unwrapFromStore(dekId: string): Promise<Buffer> {
    const [row] = await this.db.select().from(dataKeys).where(eq(dataKeys.id, dekId));
    if (!row) throw new VaultError("secret_integrity_failure", `Data key ${dekId} is missing.`);
    try {
      const key = await timeKeyringCall(this.keyring.kind, "unwrap_data_key", () =>
        this.keyring.unwrapDataKey(row.wrapped, row.kekId, dekContext(row.id)),
      );
      this.cache.set(dekId, key);
      return key;
    } catch (error) {
      if (error instanceof KeyringUnavailableError) throw unavailable(error);
      if (error instanceof CryptoError) {
        throw new VaultError("secret_integrity_failure", `Data key ${dekId} failed to unwrap: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Re-wraps every DEK not under the keyring's current KEK, in batches, online: values keep reading
   * throughout because a DEK's plaintext never changes. Returns how many DEKs moved.
   */
  async rewrapAll(options: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<number> {
    const batchSize = options.batchSize ?? 200;
    const target = this.keyring.currentKekId();
    const [{ n: total } = { n: 0 }] = await this.db.select({ n: count() }).from(dataKeys).where(ne(dataKeys.kekId, target));
    let done = 0;
    let after = "00000000-0000-0000-0000-000000000000";
    options.onProgress?.(0, total);
    for (;;) {
      const batch = await this.db
        .select()
        .from(dataKeys)
        .where(and(ne(dataKeys.kekId, target), gt(dataKeys.id, after)))
        .orderBy(asc(dataKeys.id))
        .limit(batchSize);
      if (batch.length === 0) break;
      const rewrapped = await Promise.all(
        batch.map(async (row) => {
          try {
            const rewrapped = await timeKeyringCall(this.keyring.kind, "rewrap_data_key", () =>
              this.keyring.rewrapDataKey(row.wrapped, row.kekId, dekContext(row.id)),
            );
            return { id: row.id, ...rewrapped };
          } catch (error) {
            throw error instanceof KeyringUnavailableError ? unavailable(error) : error;
          }
        }),
      );
      // One statement per batch: the keyring is fast, per-row round trips are not.
      const rows = sql.join(
        rewrapped.map((row) => sql`(${row.id}::uuid, ${row.wrapped}::bytea, ${row.kekId})`),
        sql`, `,
      );
      await this.db.execute(sql`
        update ${dataKeys} set wrapped = batch.wrapped, kek_id = batch.kek_id, rewrapped_at = now()
        from (values ${rows}) as batch(id, wrapped, kek_id)
        where ${dataKeys.id} = batch.id`);
      done += batch.length;
      after = batch[batch.length - 1]?.id ?? after;
      options.onProgress?.(done, total);
    }
    return done;
  }

  /** DEK and value counts per KEK, for `keys:status` and refusing to retire a KEK still in use. */
  async countsByKek(): Promise<{ kekId: string; deks: number; values: number }[]> {
    const rows = await this.db
      .select({
        kekId: dataKeys.kekId,
        deks: sql<number>`count(distinct ${dataKeys.id})::int`,
        values: sql<number>`count(${secretVersions.secretId})::int`,
      })
      .from(dataKeys)
      .leftJoin(secretVersions, and(eq(secretVersions.dekId, dataKeys.id), isNull(secretVersions.destroyedAt)))
      .groupBy(dataKeys.kekId)
      .orderBy(dataKeys.kekId);
    return rows;
  }
}
