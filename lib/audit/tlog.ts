// Transparency-log verification written once for the server and the browser: RFC 6962 / RFC 9162 leaf and
// node hashing, inclusion and consistency proof verification, and C2SP signed notes
// (https://github.com/C2SP/C2SP/blob/main/signed-note.md) carrying a tlog-checkpoint body.
//
// Each algorithm is a generator that yields the cryptography it needs (SHA-256 over byte parts, one Ed25519
// check) and is driven by runSync (node:crypto: the server's callers stay synchronous) or runAsync
// (WebCrypto in the browser). No node: imports and no Buffer, so this module bundles for the browser.
//
// Sizes and indices are plain numbers: arithmetic uses / and %, never 32-bit bit operators, so logs past
// 2^31 leaves stay correct.

export type Bytes = Uint8Array;

/** A cryptographic operation an algorithm asks its driver to perform. */
export type CryptoRequest =
  { op: "sha256"; parts: readonly Bytes[] } | { op: "ed25519"; publicKey: Bytes; message: Bytes; signature: Bytes };

/** One run of an algorithm: yields requests, receives each answer (a digest or a verdict), returns R. */
export type Steps<R> = Generator<CryptoRequest, R, Bytes | boolean>;

/** The primitives a synchronous driver answers with (node:crypto on the server). */
export interface SyncCrypto {
  /** SHA-256 of the parts concatenated, 32 bytes. */
  sha256(parts: readonly Bytes[]): Bytes;
  /** Whether `signature` (64 bytes) is a valid Ed25519 signature of `message` under the raw 32-byte key. */
  verifyEd25519(publicKey: Bytes, message: Bytes, signature: Bytes): boolean;
}

/** The same primitives, asynchronous (WebCrypto in the browser). */
export interface AsyncCrypto {
  sha256(parts: readonly Bytes[]): Promise<Bytes>;
  verifyEd25519(publicKey: Bytes, message: Bytes, signature: Bytes): Promise<boolean>;
}

/** Runs an algorithm to completion with synchronous primitives. */
export function runSync<R>(steps: Steps<R>, crypto: SyncCrypto): R {
  let next = steps.next();
  while (!next.done) {
    const request = next.value;
    next = steps.next(
      request.op === "sha256" ? crypto.sha256(request.parts) : crypto.verifyEd25519(request.publicKey, request.message, request.signature),
    );
  }
  return next.value;
}

/** Runs an algorithm to completion with asynchronous (or synchronous) primitives. */
export async function runAsync<R>(steps: Steps<R>, crypto: AsyncCrypto | SyncCrypto): Promise<R> {
  let next = steps.next();
  while (!next.done) {
    const request = next.value;
    next = steps.next(
      request.op === "sha256"
        ? await crypto.sha256(request.parts)
        : await crypto.verifyEd25519(request.publicKey, request.message, request.signature),
    );
  }
  return next.value;
}

function* sha256(...parts: Bytes[]): Steps<Bytes> {
  const digest = yield { op: "sha256", parts };
  if (!(digest instanceof Uint8Array)) throw new TypeError("the driver answered a sha256 request with a verdict");
  return digest;
}

function* ed25519(publicKey: Bytes, message: Bytes, signature: Bytes): Steps<boolean> {
  const verdict = yield { op: "ed25519", publicKey, message, signature };
  if (typeof verdict !== "boolean") throw new TypeError("the driver answered an ed25519 request with bytes");
  return verdict;
}

/** RFC 6962 §2.1 domain separation: a leaf hash is SHA-256(0x00 ‖ entry), a node hash SHA-256(0x01 ‖ left ‖ right). */
export const LEAF_PREFIX = Uint8Array.of(0x00);
export const NODE_PREFIX = Uint8Array.of(0x01);

export const leafHashSteps = (entry: Bytes): Steps<Bytes> => sha256(LEAF_PREFIX, entry);
export const nodeHashSteps = (left: Bytes, right: Bytes): Steps<Bytes> => sha256(NODE_PREFIX, left, right);

const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** True for 1, 2, 4, 8, …: a tree of that size is one perfect subtree. */
export function isPowerOfTwo(n: number): boolean {
  if (!(n >= 1) || !Number.isInteger(n)) return false;
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

export function equalBytes(a: Bytes, b: Bytes): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null when the proof has the wrong shape. */
export function* inclusionRootSteps(index: number, size: number, leaf: Bytes, proof: readonly Bytes[]): Steps<Bytes | null> {
  if (!(index >= 0 && index < size)) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (odd(fn) || fn === sn) {
      r = yield* nodeHashSteps(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = yield* nodeHashSteps(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : null;
}

/** Whether `proof` leads leaf `index` of a tree of `size` leaves to `root` (RFC 9162 §2.1.3.2). */
export function* inclusionSteps(index: number, size: number, leaf: Bytes, proof: readonly Bytes[], root: Bytes): Steps<boolean> {
  const computed = yield* inclusionRootSteps(index, size, leaf, proof);
  return computed !== null && equalBytes(computed, root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree of size `first` (root firstRoot) is a prefix of size `second`? */
export function* consistencySteps(
  first: number,
  second: number,
  firstRoot: Bytes,
  secondRoot: Bytes,
  proof: readonly Bytes[],
): Steps<boolean> {
  if (!(first >= 0 && first <= second)) return false;
  if (first === second) return proof.length === 0 && equalBytes(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Bytes;
  let sr = path[0] as Bytes;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = yield* nodeHashSteps(c, fr);
      sr = yield* nodeHashSteps(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = yield* nodeHashSteps(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, firstRoot) && equalBytes(sr, secondRoot);
}

export const fromHex = (hex: string): Bytes => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
export const toHex = (bytes: Bytes): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** Standard base64 (with padding) decoded, or null when the text is not base64. */
export function fromBase64(text: string): Bytes | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

export const toBase64 = (bytes: Bytes): string => btoa(String.fromCharCode(...bytes));

const utf8 = (text: string): Bytes => new TextEncoder().encode(text);

/** The signature type byte of an Ed25519 note key. */
export const ED25519 = 0x01;
/** A signature line starts with an em dash and a space. */
export const SIG_PREFIX = "\u2014 ";

/** A note key's id: the first four bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). */
export function* keyIdSteps(name: string, publicKey: Bytes): Steps<Bytes> {
  return (yield* sha256(utf8(`${name}\n`), Uint8Array.of(ED25519), publicKey)).slice(0, 4);
}

export type NoteCheck = { ok: true; text: string } | { ok: false; reason: string };

/** Checks that a signed note carries a valid Ed25519 signature by (name, raw 32-byte publicKey); returns its text. */
export function* verifyNoteSteps(note: string, name: string, publicKey: Bytes): Steps<NoteCheck> {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) return { ok: false, reason: "not a signed note" };
  const text = note.slice(0, split + 1);
  const id = yield* keyIdSteps(name, publicKey);
  for (const line of note.slice(split + 2, -1).split("\n")) {
    if (!line.startsWith(SIG_PREFIX)) return { ok: false, reason: "malformed signature line" };
    const [sigName, blob] = line.slice(SIG_PREFIX.length).split(" ");
    if (sigName !== name || !blob) continue;
    const raw = fromBase64(blob);
    if (raw === null || raw.length !== 4 + 64 || !equalBytes(raw.subarray(0, 4), id)) continue;
    if (yield* ed25519(publicKey, utf8(text), raw.subarray(4))) return { ok: true, text };
    return { ok: false, reason: "signature does not verify" };
  }
  return { ok: false, reason: `no signature by ${name}` };
}

/** A tlog-checkpoint body: origin line, decimal tree size, base64 of the 32-byte root hash. */
export interface CheckpointBody<H extends Bytes = Bytes> {
  origin: string;
  treeSize: number;
  rootHash: H;
}

/** Reads a checkpoint body; null unless the size is decimal and the root canonical base64 of 32 bytes. */
export function parseCheckpoint(text: string): CheckpointBody | null {
  const [origin, size, root] = text.split("\n");
  if (!origin || !size || !root || !/^[0-9]+$/.test(size)) return null;
  const rootHash = fromBase64(root);
  if (rootHash === null || rootHash.length !== 32 || toBase64(rootHash) !== root) return null;
  return { origin, treeSize: Number(size), rootHash };
}
