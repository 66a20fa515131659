// Verification of one audit row in the browser (WebCrypto only, no server imports): check the checkpoint's
// Ed25519 signature (a C2SP signed note) with the log's published key, recompute the row's leaf hash from
// its entry (RFC 8785 canonical JSON, SHA-256 with the 0x00 prefix) and walk its inclusion proof (RFC 9162
// §2.1.3.2) up to the signed root, trusting no server claim that it is included. The algorithms are
// ./tlog's, the same the server runs; this module drives them with WebCrypto and speaks hex and base64.
import canonicalize from "canonicalize";
import {
  fromBase64,
  fromHex,
  inclusionRootSteps,
  leafHashSteps,
  parseCheckpoint,
  runAsync,
  toHex,
  verifyNoteSteps,
  type AsyncCrypto,
  type Bytes,
} from "./tlog";

export interface RowProof {
  tree_size: number;
  root_hash: string;
  proof_path: string[];
}

/** A copy backed by a plain ArrayBuffer, as WebCrypto's BufferSource asks. */
const own = (bytes: Bytes): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

/** WebCrypto answering ./tlog's requests (the browser's, and Node's globalThis.crypto in tests). */
export const webCrypto: AsyncCrypto = {
  async sha256(parts) {
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    return new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
  },
  async verifyEd25519(publicKey, message, signature) {
    const key = await crypto.subtle.importKey("raw", own(publicKey), { name: "Ed25519" }, false, ["verify"]);
    return crypto.subtle.verify({ name: "Ed25519" }, key, own(signature), own(message));
  },
};

/** The hex leaf hash of an entry: SHA-256(0x00 ‖ RFC 8785 canonical JSON). Throws when it has no JSON form. */
export async function leafHashOf(entry: unknown): Promise<string> {
  const text = canonicalize(entry);
  if (text === undefined) throw new TypeError("entry has no JSON form");
  return toHex(await runAsync(leafHashSteps(new TextEncoder().encode(text)), webCrypto));
}

/** The hex root an inclusion proof (hex path, bottom up) leads leaf `index` of `size` to, or null when malformed. */
export async function rootFromProof(index: number, size: number, leafHex: string, path: string[]): Promise<string | null> {
  const root = await runAsync(inclusionRootSteps(index, size, fromHex(leafHex), path.map(fromHex)), webCrypto);
  return root && toHex(root);
}

/** True when the row's own entry, hashed here, leads through its proof to the checkpoint's root. */
export async function verifyRow(entry: unknown, leafIndex: number, proof: RowProof): Promise<boolean> {
  const leaf = await leafHashOf(entry);
  const root = await rootFromProof(leafIndex, proof.tree_size, leaf, proof.proof_path);
  return root !== null && root === proof.root_hash.toLowerCase();
}

export interface LogPublicKey {
  /** The checkpoints' origin, which is also the note's key name. */
  origin: string;
  /** The raw 32-byte Ed25519 public key, base64. */
  public_key: string;
}

export interface SignedCheckpoint {
  tree_size: number;
  root_hash: string;
  note: string;
}

/**
 * True when the checkpoint's signed note carries a valid Ed25519 signature by the log's key, and its
 * body (origin, tree size, root) says exactly what the API's tree_size and root_hash claim.
 */
export async function verifyCheckpoint(checkpoint: SignedCheckpoint, key: LogPublicKey): Promise<boolean> {
  const publicKey = fromBase64(key.public_key);
  if (publicKey === null) return false;
  const opened = await runAsync(verifyNoteSteps(checkpoint.note, key.origin, publicKey), webCrypto);
  const body = opened.ok ? parseCheckpoint(opened.text) : null;
  return (
    body !== null &&
    body.origin === key.origin &&
    body.treeSize === checkpoint.tree_size &&
    toHex(body.rootHash) === checkpoint.root_hash.toLowerCase()
  );
}
