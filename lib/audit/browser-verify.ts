// Verification of one audit row in the browser (WebCrypto only, no server imports): check the checkpoint's
// Ed25519 signature (a C2SP signed note) with the log's published key, recompute the row's leaf hash from
// its entry (RFC 8785 canonical JSON, SHA-256 with the 0x00 prefix) and walk its inclusion proof (RFC 9162
// §2.1.3.2) up to the signed root, trusting no server claim that it is included.
import canonicalize from "canonicalize";

export interface RowProof {
  tree_size: number;
  root_hash: string;
  proof_path: string[];
}

const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
}

const node = (left: Uint8Array, right: Uint8Array) => sha256(Uint8Array.of(0x01), left, right);

export async function leafHashOf(entry: unknown): Promise<string> {
  const text = canonicalize(entry);
  if (text === undefined) throw new TypeError("entry has no JSON form");
  return toHex(await sha256(Uint8Array.of(0x00), new TextEncoder().encode(text)));
}

export async function rootFromProof(index: number, size: number, leafHex: string, path: string[]): Promise<string | null> {
  if (!(index >= 0 && index < size)) return null;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = fromHex(leafHex);
  for (const hex of path) {
    if (sn === 0) return null;
    const p = fromHex(hex);
    if (fn % 2 === 1 || fn === sn) {
      r = await node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? toHex(r) : null;
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

const fromBase64 = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const SIG_PREFIX = "\u2014 ";

/**
 * True when the checkpoint's signed note carries a valid Ed25519 signature by the log's key, and its
 * body (origin, tree size, root) says exactly what the API's tree_size and root_hash claim.
 */
export async function verifyCheckpoint(checkpoint: SignedCheckpoint, key: LogPublicKey): Promise<boolean> {
  const { note } = checkpoint;
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) return false;
  const text = note.slice(0, split + 1);
  const [origin, size, root] = text.split("\n");
  if (origin !== key.origin || size !== String(checkpoint.tree_size) || !root) return false;
  if (toHex(fromBase64(root)) !== checkpoint.root_hash.toLowerCase()) return false;
  const publicKey = fromBase64(key.public_key);
  const keyId = (await sha256(new TextEncoder().encode(`${origin}\n`), Uint8Array.of(0x01), publicKey)).slice(0, 4);
  const verifier = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  for (const line of note.slice(split + 2, -1).split("\n")) {
    if (!line.startsWith(`${SIG_PREFIX}${origin} `)) continue;
    const blob = fromBase64(line.slice(SIG_PREFIX.length + origin.length + 1));
    if (blob.length !== 68 || blob.slice(0, 4).some((b, i) => b !== keyId[i])) continue;
    return crypto.subtle.verify({ name: "Ed25519" }, verifier, blob.slice(4), new TextEncoder().encode(text));
  }
  return false;
}
