// The Merkle tree as stored: leaf hashes in audit_leaves, completed interior nodes in audit_nodes (those
// below level 4 packed into their level-4 row once its 16 leaves are in, see node-blocks.ts).
// Proofs and roots are computed by the pure functions in merkle.ts over exactly the O(log n) subtrees
// they need, fetched in one query.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import { auditCheckpoints, auditLeaves, auditNodes, type AuditCheckpointRow } from "@/lib/db/schema";
import {
  Frontier,
  consistencyProof,
  frontierNodes,
  inclusionProof,
  rootFromSource,
  subtreesNeeded,
  type Hash,
  type SubtreeSource,
} from "./merkle";
import { PACKED_LEVEL, blockOf, isPackable, unpackBelow } from "./node-blocks";

/**
 * The leaves whose hash is `hash` (32 bytes), found through the btree of their first 8 bytes
 * (audit_leaves_key_idx, migration 0011) and then compared in full.
 */
export const leafHashIs = (hash: Buffer) =>
  and(eq(sql`audit_leaf_key(${auditLeaves.leafHash})`, sql`audit_leaf_key(${hash})`), eq(auditLeaves.leafHash, hash));

/** Rows of a raw `execute`, whichever driver ran it (PGlite answers { rows }, postgres.js an array). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

export async function treeSize(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ leafIndex: auditLeaves.leafIndex }).from(auditLeaves).orderBy(desc(auditLeaves.leafIndex)).limit(1);
  return row ? row.leafIndex + 1 : 0;
}

async function fetchSubtrees(db: DbOrTx, keys: [number, number][]): Promise<Map<string, Hash>> {
  const found = new Map<string, Hash>();
  const leafIndices = keys.filter(([level]) => level === 0).map(([, index]) => index);
  const nodeKeys = keys.filter(([level]) => level > 0);
  if (leafIndices.length > 0) {
    const rows = await db
      .select({ index: auditLeaves.leafIndex, hash: auditLeaves.leafHash })
      .from(auditLeaves)
      .where(inArray(auditLeaves.leafIndex, leafIndices));
    for (const row of rows) found.set(`0:${row.index}`, row.hash);
  }
  if (nodeKeys.length > 0) {
    // A node at levels 1 to 3 is in its own row, or packed in its level-4 ancestor's (node-blocks.ts).
    const asked = new Map<string, [number, number]>();
    for (const [level, index] of nodeKeys) {
      asked.set(`${level}:${index}`, [level, index]);
      if (isPackable(level)) asked.set(`${PACKED_LEVEL}:${blockOf(level, index)}`, [PACKED_LEVEL, blockOf(level, index)]);
    }
    const rows = await db
      .select({ level: auditNodes.level, idx: auditNodes.idx, hash: auditNodes.hash, below: auditNodes.below })
      .from(auditNodes)
      .where(
        sql`(${auditNodes.level}, ${auditNodes.idx}) in (${sql.join(
          [...asked.values()].map(([level, index]) => sql`(${level}::smallint, ${index}::bigint)`),
          sql`, `,
        )})`,
      );
    for (const row of rows) {
      found.set(`${row.level}:${row.idx}`, row.hash);
      if (row.below) for (const node of unpackBelow(row.idx, row.below)) found.set(`${node.level}:${node.index}`, node.hash);
    }
  }
  return found;
}

export class MissingNodeError extends Error {
  readonly code = "audit_tree_incomplete";
}

/** Runs a proof or root computation over the stored tree, reading only the subtrees it needs. */
export async function withStoredTree<T>(db: DbOrTx, compute: (source: SubtreeSource) => T): Promise<T> {
  const found = await fetchSubtrees(db, subtreesNeeded(compute));
  return compute({
    subtree(level, index) {
      const hash = found.get(`${level}:${index}`);
      if (!hash) throw new MissingNodeError(`the stored tree has no node at level ${level}, index ${index}`);
      return hash;
    },
  });
}

export async function loadFrontier(db: DbOrTx, size: number): Promise<Frontier> {
  const nodes = frontierNodes(size);
  const found = await fetchSubtrees(db, nodes);
  return new Frontier(
    size,
    nodes.map(([level, index]) => {
      const hash = found.get(`${level}:${index}`);
      if (!hash) throw new MissingNodeError(`the stored tree has no node at level ${level}, index ${index}`);
      return hash;
    }),
  );
}

export const storedRoot = (db: DbOrTx, size: number) => withStoredTree(db, (s) => rootFromSource(s, size));
export const storedInclusionProof = (db: DbOrTx, index: number, size: number) => withStoredTree(db, (s) => inclusionProof(s, index, size));
export const storedConsistencyProof = (db: DbOrTx, m: number, n: number) => withStoredTree(db, (s) => consistencyProof(s, m, n));

export async function latestCheckpoint(db: DbOrTx): Promise<AuditCheckpointRow | null> {
  const [row] = await db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.treeSize)).limit(1);
  return row ?? null;
}

export async function checkpointAt(db: DbOrTx, size: number): Promise<AuditCheckpointRow | null> {
  const [row] = await db
    .select()
    .from(auditCheckpoints)
    .where(and(eq(auditCheckpoints.treeSize, size)));
  return row ?? null;
}
