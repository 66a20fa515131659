// The checkpoint signing key: an Ed25519 key created on first use and stored in system_keys sealed
// under a data key like any secret value, so it is protected (and rotated) by the keyring. Only the
// public half ever leaves this module in the clear.
import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { eq } from "drizzle-orm";
import { open, seal, type ValueAad } from "@/lib/crypto/seal";
import type { Db } from "@/lib/db/client";
import { systemKeys } from "@/lib/db/schema";
import type { DataKeys } from "@/lib/crypto/data-keys";
import { keyId, privateKeyFromSeed, rawPublicKey, seedOf, signNote, verifierKey } from "./note";

export const CHECKPOINT_KEY_PURPOSE = "audit-checkpoint";

// The AAD binds a sealed system key to its purpose: a ciphertext copied onto another purpose's row fails to open.
const aad = (purpose: string, dekId: string): ValueAad => ({
  secretId: `system:${purpose}`,
  scope: "ext",
  owner: "system",
  name: purpose,
  version: 1,
  dekId,
});

/** The key material a log needs from the keyring: only DataKeys' write and unwrap. */
export type KeySource = Pick<DataKeys, "forWrite" | "unwrap">;

export class CheckpointSigner {
  readonly publicKey: Buffer;

  constructor(
    readonly name: string,
    private readonly privateKey: KeyObject,
  ) {
    this.publicKey = rawPublicKey(createPublicKey(privateKey));
  }

  get keyId(): string {
    return keyId(this.name, this.publicKey).toString("hex");
  }

  get verifierKey(): string {
    return verifierKey(this.name, this.publicKey);
  }

  sign(text: string): string {
    return signNote(text, this.name, this.privateKey, this.publicKey);
  }
}

/**
 * A 32-byte private key of the given purpose, stored in system_keys sealed by the keyring. With
 * `generate`, it is created on first use (concurrent first uses agree on one key: the first insert wins
 * and everyone reads it back); without, a missing key answers null. The caller should zero the bytes
 * once it has built its key object.
 */
export async function loadSealedSystemKey(db: Db, keys: KeySource, purpose: string, generate?: () => Buffer): Promise<Buffer | null> {
  const load = async () => {
    const [row] = await db.select().from(systemKeys).where(eq(systemKeys.purpose, purpose));
    return row ? open(await keys.unwrap(row.dekId), row.ciphertext, aad(purpose, row.dekId)) : null;
  };
  const existing = await load();
  if (existing || !generate) return existing;
  const dek = await keys.forWrite();
  const fresh = generate();
  await db
    .insert(systemKeys)
    .values({ purpose, dekId: dek.id, ciphertext: seal(dek.key, fresh, aad(purpose, dek.id)) })
    .onConflictDoNothing();
  fresh.fill(0);
  const stored = await load();
  if (!stored) throw new Error(`${purpose} key missing after creation`);
  return stored;
}

/** Loads the sealed checkpoint signing key, creating it on first use; concurrent first uses agree on one key. */
export async function loadCheckpointSigner(db: Db, keys: KeySource, name: string): Promise<CheckpointSigner> {
  const seed = await loadSealedSystemKey(db, keys, CHECKPOINT_KEY_PURPOSE, () => seedOf(generateKeyPairSync("ed25519").privateKey));
  if (!seed) throw new Error("checkpoint signing key missing after creation");
  return new CheckpointSigner(name, privateKeyFromSeed(seed));
}

/** The checkpoint signing key if the log has one, never creating it (verification must not make a key). */
export async function findCheckpointSigner(db: Db, keys: KeySource, name: string): Promise<CheckpointSigner | null> {
  const seed = await loadSealedSystemKey(db, keys, CHECKPOINT_KEY_PURPOSE);
  return seed ? new CheckpointSigner(name, privateKeyFromSeed(seed)) : null;
}
