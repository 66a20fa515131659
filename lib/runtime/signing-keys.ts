// The platform's ES256 signing keys for runtime tokens. The private key is sealed through the vault's
// data keys (so it is protected by the same keyring/KMS as every secret) and created on first use; the
// public keys are published as a JWKS. Rotation makes a new key current and keeps the old one published
// and verifiable until the last token it could have signed has expired.
import { and, eq, gt, isNull, or } from "drizzle-orm";
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, type JWK } from "jose";
import { open, seal, type ValueAad } from "@/lib/crypto";
import { appendAuditEvents, type AuditActor, type AuditSource } from "@/lib/audit/events";
import { CLOCK_TOLERANCE_SECONDS } from "@/lib/clock-skew";
import type { Db } from "@/lib/db/client";
import { runtimeSigningKeys, type RuntimeSigningKeyRow } from "@/lib/db/schema";
import type { DataKeys } from "@/lib/crypto/data-keys";

export const RUNTIME_ALG = "ES256";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface PublishedKey {
  kid: string;
  jwk: JWK;
  key: CryptoKey;
}

export interface SigningKeysOptions {
  db: Db;
  dataKeys: DataKeys;
  /** The longest lifetime a token can have: a retired key stays verifiable this long. */
  maxTokenTtlSeconds: number;
  /** How often the published key set is re-read, so other processes' rotations are seen. */
  refreshMs?: number;
  /** The clock (default: the system's): refresh intervals and rotation times are computed from it. */
  now?: () => Date;
}

interface Snapshot {
  loadedAt: number;
  keys: Map<string, PublishedKey>;
}

const aadFor = (kid: string, dekId: string): ValueAad => ({
  secretId: `system:runtime-signing-key:${kid}`,
  scope: "ext",
  owner: "system",
  name: "runtime_signing_key",
  version: 1,
  dekId,
});

// An unknown kid may be a key another process just created, so it triggers a reload, but at most this
// often: a flood of made-up kids must not turn into a flood of queries.
const UNKNOWN_KID_RELOAD_MS = 1000;

export class SigningKeys {
  readonly #db: Db;
  readonly #dataKeys: DataKeys;
  readonly #maxTtlMs: number;
  readonly #refreshMs: number;
  readonly #clock: () => Date;
  #current: Promise<SigningKey> | undefined;
  #currentLoadedAt = 0;
  #snapshot: Promise<Snapshot> | undefined;
  #lastForcedReload = 0;

  constructor(options: SigningKeysOptions) {
    this.#db = options.db;
    this.#dataKeys = options.dataKeys;
    this.#maxTtlMs = options.maxTokenTtlSeconds * 1000;
    this.#refreshMs = options.refreshMs ?? 30_000;
    this.#clock = options.now ?? (() => new Date());
  }

  /**
   * The key that signs new tokens, created (and sealed) on first use. Re-read every refresh interval, so
   * a rotation made by another process (the CLI, another app instance) is picked up long before the
   * retired key stops being published.
   */
  current(): Promise<SigningKey> {
    if (this.#current && this.#clock().getTime() - this.#currentLoadedAt >= this.#refreshMs) {
      const previous = this.#current;
      this.#currentLoadedAt = this.#clock().getTime();
      this.#current = this.#selectCurrent().then(
        async (row) => {
          const known = await previous.catch(() => null);
          return row && known && row.kid === known.kid ? known : this.#loadCurrent();
        },
        () => previous,
      );
    }
    this.#current ??= this.#loadCurrent().catch((error) => {
      this.#current = undefined;
      throw error;
    });
    if (this.#currentLoadedAt === 0) this.#currentLoadedAt = this.#clock().getTime();
    return this.#current;
  }

  /** The public key for a kid, if it is published (current, or retired and not yet past its last token). */
  async verificationKey(kid: string): Promise<CryptoKey | null> {
    let snapshot = await this.#published();
    let found = snapshot.keys.get(kid);
    if (!found && this.#clock().getTime() - this.#lastForcedReload > UNKNOWN_KID_RELOAD_MS) {
      this.#lastForcedReload = this.#clock().getTime();
      this.#snapshot = undefined;
      snapshot = await this.#published();
      found = snapshot.keys.get(kid);
    }
    return found?.key ?? null;
  }

  /** The JWKS document: every published public key. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.current();
    const snapshot = await this.#published();
    return { keys: [...snapshot.keys.values()].map((k) => k.jwk) };
  }

  /**
   * Makes a fresh key current. The previous key stops signing at once but stays published until every
   * token it signed has expired. Audited as `runtime_key.rotate`.
   */
  async rotate(actor: AuditActor, source: AuditSource): Promise<{ kid: string; retired: string | null }> {
    const generated = await this.#generate();
    const now = this.#clock();
    const retired = await this.#db.transaction(async (tx) => {
      const old = await tx
        .update(runtimeSigningKeys)
        // A token it signed is accepted up to CLOCK_TOLERANCE_SECONDS past its exp, so the key stays that much longer.
        .set({ current: null, retiredAt: now, verifiableUntil: new Date(now.getTime() + this.#maxTtlMs + CLOCK_TOLERANCE_SECONDS * 1000) })
        .where(eq(runtimeSigningKeys.current, true))
        .returning({ kid: runtimeSigningKeys.kid });
      await tx.insert(runtimeSigningKeys).values({ ...generated.row, current: true });
      const retiredKid = old[0]?.kid ?? null;
      await appendAuditEvents(tx, [
        {
          actor,
          source,
          action: "runtime_key.rotate",
          target: `runtime-signing-key:${generated.row.kid}`,
          occurredAt: now,
          details: { kid: generated.row.kid, retired_kid: retiredKid, verifiable_until: new Date(now.getTime() + this.#maxTtlMs) },
        },
      ]);
      return retiredKid;
    });
    this.#current = Promise.resolve({ kid: generated.row.kid, privateKey: generated.privateKey });
    this.#currentLoadedAt = this.#clock().getTime();
    this.#snapshot = undefined;
    return { kid: generated.row.kid, retired };
  }

  async #loadCurrent(): Promise<SigningKey> {
    const existing = await this.#selectCurrent();
    if (existing) return this.#openPrivate(existing);
    const generated = await this.#generate();
    // Another process may create one at the same moment; the unique index lets exactly one win.
    await this.#db
      .insert(runtimeSigningKeys)
      .values({ ...generated.row, current: true })
      .onConflictDoNothing();
    const winner = await this.#selectCurrent();
    if (!winner) throw new Error("runtime signing key missing after creation");
    this.#snapshot = undefined;
    return winner.kid === generated.row.kid ? { kid: winner.kid, privateKey: generated.privateKey } : this.#openPrivate(winner);
  }

  async #selectCurrent(): Promise<RuntimeSigningKeyRow | undefined> {
    const [row] = await this.#db.select().from(runtimeSigningKeys).where(eq(runtimeSigningKeys.current, true));
    return row;
  }

  async #generate() {
    const { publicKey, privateKey } = await generateKeyPair(RUNTIME_ALG, { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    const publicJwk: Record<string, string> = {
      kty: "EC",
      crv: "P-256",
      x: jwk.x ?? "",
      y: jwk.y ?? "",
      kid,
      alg: RUNTIME_ALG,
      use: "sig",
    };
    const pkcs8 = Buffer.from(await exportPKCS8(privateKey), "utf8");
    // Seal first, outside any transaction: if the KMS is down, nothing is written.
    const dek = await this.#dataKeys.forWrite();
    const ciphertext = seal(dek.key, pkcs8, aadFor(kid, dek.id));
    pkcs8.fill(0);
    // The in-memory key used for signing need not be extractable.
    const signer = await importPKCS8(await exportPKCS8(privateKey), RUNTIME_ALG);
    return { row: { kid, publicJwk, dekId: dek.id, ciphertext }, privateKey: signer };
  }

  async #openPrivate(row: RuntimeSigningKeyRow): Promise<SigningKey> {
    const dek = await this.#dataKeys.unwrap(row.dekId);
    try {
      const pem = open(dek, row.ciphertext, aadFor(row.kid, row.dekId));
      const privateKey = await importPKCS8(pem.toString("utf8"), RUNTIME_ALG);
      pem.fill(0);
      return { kid: row.kid, privateKey };
    } finally {
      dek.fill(0);
    }
  }

  #published(): Promise<Snapshot> {
    const cached = this.#snapshot;
    if (cached) {
      return cached.then((s) => {
        if (this.#clock().getTime() - s.loadedAt < this.#refreshMs) return s;
        this.#snapshot = undefined;
        return this.#published();
      });
    }
    const loading = this.#loadPublished().catch((error) => {
      this.#snapshot = undefined;
      throw error;
    });
    this.#snapshot = loading;
    return loading;
  }

  async #loadPublished(): Promise<Snapshot> {
    const rows = await this.#db
      .select({ kid: runtimeSigningKeys.kid, publicJwk: runtimeSigningKeys.publicJwk })
      .from(runtimeSigningKeys)
      .where(
        or(
          eq(runtimeSigningKeys.current, true),
          and(isNull(runtimeSigningKeys.current), gt(runtimeSigningKeys.verifiableUntil, new Date())),
        ),
      );
    const keys = new Map<string, PublishedKey>();
    for (const row of rows) {
      const jwk = row.publicJwk as JWK;
      const key = await importJWK(jwk, RUNTIME_ALG);
      if (key instanceof Uint8Array) continue; // a symmetric JWK is never a runtime key
      keys.set(row.kid, { kid: row.kid, jwk, key });
    }
    return { loadedAt: this.#clock().getTime(), keys };
  }
}
