// How audit_nodes keeps the small interior nodes: once the perfect subtree over 16 leaves is complete,
// its 14 nodes at levels 1 to 3 are stored packed in the `below` column of its level-4 row (level 1's 8,
// then level 2's 4, then level 3's 2, each by index, 32 bytes each) instead of one row each, which cost
// more than the hashes they hold (a row header, a line pointer and a primary-key entry per 32 bytes).
// Nodes of the last, incomplete subtree stay one row each until it completes. Every node is still stored,
// so proofs read the same subtrees and verification can still name the exact leaf a rewrite touched.
import type { CompletedNode, Hash } from "./merkle";

/** The level whose rows carry the packed nodes below them. */
export const PACKED_LEVEL = 4;
/** Nodes packed under one level-4 row. */
export const PACKED_NODES = 14;
const FIRST_SLOT = [0, 0, 8, 12]; // by level: where level 1, 2 and 3 start in `below`

/** The level-4 subtree holding the node at `level` (1 to 3), `index`. */
export const blockOf = (level: number, index: number) => Math.floor(index / 2 ** (PACKED_LEVEL - level));

/** Whether a node is one of those packed under a level-4 row once its subtree is complete. */
export const isPackable = (level: number) => level >= 1 && level < PACKED_LEVEL;

/**
 * The 14 packed nodes under level-4 subtree `block`, or null unless `nodes` holds each of them exactly
 * (in any order, other nodes ignored).
 */
export function packBelow(block: number, nodes: readonly CompletedNode[]): Buffer | null {
  const below = Buffer.alloc(PACKED_NODES * 32);
  const filled = new Set<number>();
  for (const { level, index, hash } of nodes) {
    if (!isPackable(level) || blockOf(level, index) !== block) continue;
    const slot = (FIRST_SLOT[level] as number) + index - block * 2 ** (PACKED_LEVEL - level);
    hash.copy(below, slot * 32);
    filled.add(slot);
  }
  return filled.size === PACKED_NODES ? below : null;
}

/** The nodes packed in the `below` of level-4 row `block`, as packBelow wrote them. */
export function unpackBelow(block: number, below: Buffer): CompletedNode[] {
  const nodes: CompletedNode[] = [];
  for (let level = 1; level < PACKED_LEVEL; level++) {
    const count = 2 ** (PACKED_LEVEL - level);
    for (let i = 0; i < count; i++) {
      const slot = (FIRST_SLOT[level] as number) + i;
      const hash: Hash = below.subarray(slot * 32, slot * 32 + 32);
      if (hash.length === 32) nodes.push({ level, index: block * count + i, hash });
    }
  }
  return nodes;
}
