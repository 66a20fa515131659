// The vault's audit keys: one random master key, sealed like any value and created on first use, from
// which HKDF derives a key per purpose and tenant (value fingerprints in audit details, pseudonyms in a
// publisher's audit view), and the fingerprint of a value under its tenant's key.
import { hkdfSync } from "node:crypto";
import { eq } from "drizzle-orm";
import { open, seal, type SecretValue, type ValueAad } from "@/lib/crypto";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { extensions, systemKeys } from "@/lib/db/schema";
import type { DataKeys } from "@/lib/crypto/data-keys";
import type { AuditKeyPurpose, FingerprintScope, SecretAddress } from "./vault-types";

// A bound on the extension → publisher memo; the mapping never changes, so the memo is only reset when full.
const PUBLISHER_MEMO_MAX = 10_000;

export class AuditKeys {
  #fingerprintKey: Promise<Buffer> | undefined;
  readonly #publisherOf = new Map<string, string>();

  readonly #db: Db;
  readonly #keys: DataKeys;

  constructor(db: Db, keys: DataKeys) {
    this.#db = db;
    this.#keys = keys;
  }

  /** The key of `purpose` for `tenant` (see Vault.auditKey); the caller zero-fills it when done. */
  async key(purpose: AuditKeyPurpose, tenant: string, length = 32): Promise<Buffer> {
    const master = await this.#getFingerprintKey();
    return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), `latchkey/audit/${purpose}/v1\0${tenant}`, length));
  }

  /** The value's audit fingerprint under its tenant's key (see FingerprintScope). */
  async fingerprint(address: SecretAddress, value: SecretValue): Promise<{ value: string; scope: FingerprintScope }> {
    const tenant = await this.#fingerprintTenant(address);
    const key = await this.key("fingerprint", `${tenant.scope}:${tenant.id}`);
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
