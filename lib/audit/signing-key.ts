// The checkpoint signing key: an Ed25519 key created on first use and stored in system_keys sealed
// under a data key like any secret value, so it is protected (and rotated) by the keyring. Only the
// public half ever leaves this module in the clear.
import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { eq } from "drizzle-orm";
import { open, seal, type ValueAad } from "@/lib/crypto/seal";
import type { Db } from "@/lib/db/client";
import { systemKeys } from "@/lib/db/schema";
import type { DataKeys } from "@/lib/vault/data-keys";
import { keyId, privateKeyFromSeed, rawPublicKey, seedOf, signNote, verifierKey } from "./note";

export const CHECKPOINT_KEY_PURPOSE = "audit-checkpoint";

const aad = (dekId: string): ValueAad => ({
  secretId: `system:${CHECKPOINT_KEY_PURPOSE}`,
  scope: "ext",
  owner: "system",
  name: CHECKPOINT_KEY_PURPOSE,
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

/** Loads the sealed signing key, creating it on first use; concurrent first uses agree on one key. */
export async function loadCheckpointSigner(db: Db, keys: KeySource, name: string): Promise<CheckpointSigner> {
  const load = async () => {
    const [row] = await db.select().from(systemKeys).where(eq(systemKeys.purpose, CHECKPOINT_KEY_PURPOSE));
    if (!row) return null;
    const seed = open(await keys.unwrap(row.dekId), row.ciphertext, aad(row.dekId));
    return new CheckpointSigner(name, privateKeyFromSeed(seed));
  };
  const existing = await load();
  if (existing) return existing;
  const dek = await keys.forWrite();
  const seed = seedOf(generateKeyPairSync("ed25519").privateKey);
  await db
    .insert(systemKeys)
    .values({ purpose: CHECKPOINT_KEY_PURPOSE, dekId: dek.id, ciphertext: seal(dek.key, seed, aad(dek.id)) })
    .onConflictDoNothing();
  seed.fill(0);
  const stored = await load();
  if (!stored) throw new Error("checkpoint signing key missing after creation");
  return stored;
}
