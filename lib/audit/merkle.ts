// The RFC 6962 / RFC 9162 Merkle tree over the audit log: leaf and node hashing, roots, inclusion and
// consistency proofs (generated from a source of perfect-subtree hashes, so the database only has to
// hand over the O(log n) nodes a proof needs) and their verification, whose algorithms live once in
// ./tlog (shared with the browser) and run here synchronously on node:crypto. Pure functions, no I/O.
//
// Sizes and indices are plain numbers: arithmetic uses / and %, never 32-bit bit operators, so logs
// past 2^31 leaves stay correct.
import crypto, { createHash } from "node:crypto";
import { consistencySteps, inclusionRootSteps, inclusionSteps, isPowerOfTwo, LEAF_PREFIX, NODE_PREFIX, runSync } from "./tlog";
import { asBuffer, nodeCrypto } from "./tlog-node";

export type Hash = Buffer;

/**
 * A SHA-256 hash held as a 32-character latin1 ("binary") string, one character per byte. Rebuilding
 * the tree of a whole log hashes about two million times; crypto.hash returning a string, and strings
 * compared with ===, cost a fraction of a Buffer per hash (each its own backing store to allocate and
 * collect).
 */
export type Digest = string;

export const toDigest = (hash: Hash): Digest => hash.toString("latin1");
export const fromDigest = (digest: Digest): Hash => Buffer.from(digest, "latin1");

export const sha256 = (data: Uint8Array): Hash => createHash("sha256").update(data).digest();

/** The root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

export function leafHash(entry: Uint8Array): Hash {
  return createHash("sha256").update(LEAF_PREFIX).update(entry).digest();
}

// One scratch buffer for 0x01 ‖ left ‖ right: node hashing is the tree's inner loop, and a one-shot
// hash over a reused buffer costs a fraction of a streaming hash with three updates.
const scratch = Buffer.alloc(65);
scratch.set(NODE_PREFIX, 0);

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  if (left.length !== 32 || right.length !== 32) return createHash("sha256").update(NODE_PREFIX).update(left).update(right).digest();
  scratch.set(left, 1);
  scratch.set(right, 33);
  return crypto.hash("sha256", scratch, "buffer");
}

/** nodeHash over digests: both written into the scratch buffer as bytes, hashed, returned as a digest. */
export function nodeDigest(left: Digest, right: Digest): Digest {
  if (left.length !== 32 || right.length !== 32) return toDigest(nodeHash(fromDigest(left), fromDigest(right)));
  scratch.write(left, 1, "latin1");
  scratch.write(right, 33, "latin1");
  return crypto.hash("sha256", scratch, "binary"); // "binary" is latin1
}

/** The largest power of two strictly below n (n ≥ 2), the split point of RFC 6962's MTH. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/**
 * The tree head over all leaf hashes, computed level by level: pairing left to right and carrying an
 * odd last node up unchanged gives the same root as RFC 6962's recursive definition.
 */
export function rootOf(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  let level: Hash[] = leaves.slice();
  while (level.length > 1) {
    const next: Hash[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i] as Hash, level[i + 1] as Hash));
    if (odd(level.length)) next.push(level[level.length - 1] as Hash);
    level = next;
  }
  return level[0] as Hash;
}

/** A node completed while appending: the perfect subtree over leaves [index·2^level, (index+1)·2^level). */
export interface CompletedNode {
  level: number;
  index: number;
  hash: Hash;
}

/**
 * The right edge of a growing tree (its perfect subtrees, largest first), enough to append leaves and
 * compute the root without re-reading earlier leaves. Each append reports the interior nodes it completes.
 */
export class Frontier {
  // The right edge as two parallel stacks (subtree levels and digests) rather than an object and a
  // Buffer per node: append runs once per leaf when a whole log is re-verified.
  #levels: number[];
  #digests: Digest[];
  #size: number;

  constructor(size = 0, subtrees: Hash[] = []) {
    const levels = frontierLevels(size);
    if (levels.length !== subtrees.length)
      throw new Error(`a tree of size ${size} has ${levels.length} frontier subtrees, got ${subtrees.length}`);
    this.#levels = levels;
    this.#digests = subtrees.map(toDigest);
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  append(leaf: Hash, completed?: (node: CompletedNode) => void): void {
    this.appendDigest(toDigest(leaf), completed);
  }

  appendDigest(leaf: Digest, completed?: (node: CompletedNode) => void): void {
    const leafIndex = this.#size;
    let level = 0;
    let digest = leaf;
    while (this.#levels.length > 0 && this.#levels[this.#levels.length - 1] === level) {
      this.#levels.pop();
      digest = nodeDigest(this.#digests.pop() as Digest, digest);
      level++;
      completed?.({ level, index: Math.floor(leafIndex / 2 ** level), hash: fromDigest(digest) });
    }
    this.#levels.push(level);
    this.#digests.push(digest);
    this.#size++;
  }

  root(): Hash {
    return fromDigest(this.rootDigest());
  }

  rootDigest(): Digest {
    let root = this.#digests.at(-1);
    if (root === undefined) return toDigest(EMPTY_ROOT);
    for (let i = this.#digests.length - 2; i >= 0; i--) root = nodeDigest(this.#digests[i] as Digest, root);
    return root;
  }
}

/**
 * The perfect subtrees a tree of `size` leaves decomposes into, left to right, as [level, index] pairs:
 * one per set bit of size, largest first.
 */
export function frontierNodes(size: number): [level: number, index: number][] {
  const nodes: [number, number][] = [];
  let start = 0;
  for (const level of frontierLevels(size)) {
    nodes.push([level, start / 2 ** level]);
    start += 2 ** level;
  }
  return nodes;
}

function frontierLevels(size: number): number[] {
  const levels: number[] = [];
  let rest = size;
  for (let level = 0; rest > 0; level++, rest = half(rest)) if (odd(rest)) levels.unshift(level);
  return levels;
}

/** Hashes of perfect, aligned subtrees: level 0 is a leaf hash. */
export interface SubtreeSource {
  subtree(level: number, index: number): Hash;
}

/** MTH(D[start:end]) where start is aligned to the split structure (as every RFC 6962 recursion is). */
export function rangeHash(source: SubtreeSource, start: number, end: number): Hash {
  const n = end - start;
  if (n < 1) throw new Error(`empty range ${start}..${end}`);
  if (isPowerOfTwo(n) && start % n === 0) return source.subtree(Math.log2(n), start / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(source, start, start + k), rangeHash(source, start + k, end));
}

export function rootFromSource(source: SubtreeSource, size: number): Hash {
  return size === 0 ? EMPTY_ROOT : rangeHash(source, 0, size);
}

/** RFC 6962 §2.1.1 PATH(index, D[0:size]): the audit path of one leaf, bottom up. */
export function inclusionProof(source: SubtreeSource, index: number, size: number): Hash[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of size ${size}`);
  const path: Hash[] = [];
  const walk = (m: number, start: number, end: number) => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, start + k);
      path.push(rangeHash(source, start + k, end));
    } else {
      walk(m - k, start + k, end);
      path.push(rangeHash(source, start, start + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** RFC 6962 §2.1.2 PROOF(m, D[0:n]): proves the tree of size m is a prefix of the tree of size n. */
export function consistencyProof(source: SubtreeSource, m: number, n: number): Hash[] {
  if (!(m >= 0 && m <= n)) throw new RangeError(`cannot prove size ${m} against size ${n}`);
  if (m === 0 || m === n) return [];
  const proof: Hash[] = [];
  const sub = (m2: number, start: number, end: number, complete: boolean) => {
    const n2 = end - start;
    if (m2 === n2) {
      if (!complete) proof.push(rangeHash(source, start, end));
      return;
    }
    const k = splitPoint(n2);
    if (m2 <= k) {
      sub(m2, start, start + k, complete);
      proof.push(rangeHash(source, start + k, end));
    } else {
      sub(m2 - k, start + k, end, false);
      proof.push(rangeHash(source, start, start + k));
    }
  };
  sub(m, 0, n, true);
  return proof;
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null when the proof has the wrong shape. */
export function rootFromInclusionProof(index: number, size: number, leaf: Hash, proof: readonly Hash[]): Hash | null {
  const root = runSync(inclusionRootSteps(index, size, leaf, proof), nodeCrypto);
  return root && asBuffer(root);
}

/** Whether `proof` leads leaf `index` of a tree of `size` leaves to `root` (the algorithm is lib/audit/tlog.ts). */
export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  return runSync(inclusionSteps(index, size, leaf, proof, root), nodeCrypto);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree of size `first` (root firstRoot) is a prefix of size `second`? */
export function verifyConsistency(first: number, second: number, firstRoot: Hash, secondRoot: Hash, proof: readonly Hash[]): boolean {
  return runSync(consistencySteps(first, second, firstRoot, secondRoot, proof), nodeCrypto);
}

/** Perfect-subtree hashes computed from an in-memory list of leaf hashes (tests, small trees). */
export class MemorySubtrees implements SubtreeSource {
  readonly #levels: Hash[][];

  constructor(leaves: readonly Hash[]) {
    this.#levels = [leaves.slice()];
    for (let level = this.#levels[0] as Hash[]; level.length > 1;) {
      const next: Hash[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i] as Hash, level[i + 1] as Hash));
      this.#levels.push(next);
      level = next;
    }
  }

  subtree(level: number, index: number): Hash {
    const hash = this.#levels[level]?.[index];
    if (!hash) throw new RangeError(`no complete subtree at level ${level}, index ${index}`);
    return hash;
  }
}

/**
 * Runs a proof computation against a recording source to learn which subtrees it reads, so a caller
 * can fetch exactly those (one query) and run it again for real.
 */
export function subtreesNeeded(compute: (source: SubtreeSource) => unknown): [level: number, index: number][] {
  const seen = new Map<string, [number, number]>();
  const zero = Buffer.alloc(32);
  compute({
    subtree(level, index) {
      seen.set(`${level}:${index}`, [level, index]);
      return zero;
    },
  });
  return [...seen.values()];
}
