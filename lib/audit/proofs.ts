// What the /api/v1/audit routes answer: the public key, checkpoints with their anchors, inclusion and
// consistency proofs, and verification of a content hash. Hashes are hex; errors carry a code.
import { and, asc, desc, eq, gt, inArray, lt } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import { DomainError } from "@/lib/core/domain-error";
import { auditAnchors, auditCheckpoints, auditLeaves } from "@/lib/db/schema";
import { verifyInclusion } from "@/lib/audit/merkle";
import { checkpointJson } from "@/lib/audit/queries";
import type { CheckpointSigner } from "@/lib/audit/signing-key";
import {
  checkpointAt,
  latestCheckpoint,
  leafHashIs,
  storedConsistencyProof,
  storedInclusionProof,
  storedRoot,
  treeSize,
} from "@/lib/audit/tree-store";

/** The HTTP status each audit API error code is served with. */
export const auditApiErrorStatus = { invalid_request: 400, tree_size_out_of_range: 400, not_found: 404, no_checkpoint: 404 } as const;

export type AuditApiErrorCode = keyof typeof auditApiErrorStatus;

/** A refusal of the public audit API (bad proof parameters, unknown leaf or checkpoint). */
export class AuditApiError extends DomainError<AuditApiErrorCode> {
  static override readonly kind = "AuditApiError";

  constructor(code: AuditApiErrorCode, message: string) {
    super(code, message);
  }

  get status(): 400 | 404 {
    return auditApiErrorStatus[this.code];
  }
}

const hex = (hashes: Buffer[]) => hashes.map((h) => h.toString("hex"));

export function publicKeyJson(signer: CheckpointSigner) {
  return {
    origin: signer.name,
    algorithm: "Ed25519",
    public_key: signer.publicKey.toString("base64"),
    key_id: signer.keyId,
    verifier_key: signer.verifierKey,
    note_format: "https://github.com/C2SP/C2SP/blob/main/signed-note.md",
    leaf_hash: "SHA-256(0x00 || JCS(entry)), RFC 6962 / RFC 9162 tree",
  };
}

/** One anchor of a checkpoint as the admin API lists it (block_number: chain anchors once mined). */
interface AnchorJson {
  sink: string;
  status: string;
  reference: string | null;
  block_number: number | null;
  last_error: string | null;
  updated_at: string;
}

async function anchorsFor(db: DbOrTx, sizes: number[]) {
  const map = new Map<number, AnchorJson[]>();
  if (sizes.length === 0) return map;
  const rows = await db.select().from(auditAnchors).where(inArray(auditAnchors.treeSize, sizes));
  for (const a of rows) {
    const list = map.get(a.treeSize) ?? [];
    list.push({
      sink: a.sink,
      status: a.status,
      reference: a.reference,
      block_number: a.blockNumber,
      last_error: a.lastError,
      updated_at: a.updatedAt.toISOString(),
    });
    map.set(a.treeSize, list);
  }
  return map;
}

/** Checkpoints newest first, each with its anchors; `before` pages by tree size. */
export async function listCheckpoints(db: DbOrTx, options: { limit?: number; before?: number } = {}) {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const rows = await db
    .select()
    .from(auditCheckpoints)
    .where(options.before === undefined ? undefined : lt(auditCheckpoints.treeSize, options.before))
    .orderBy(desc(auditCheckpoints.treeSize))
    .limit(limit);
  const anchors = await anchorsFor(
    db,
    rows.map((r) => r.treeSize),
  );
  return {
    tree_size: await treeSize(db),
    checkpoints: rows.map((r) => ({ ...checkpointJson(r), anchors: anchors.get(r.treeSize) ?? [] })),
  };
}

/** Inclusion proof of one leaf in the tree of tree_size (default: the latest checkpoint's size). */
export async function proofFor(db: DbOrTx, leafIndex: number, requestedSize?: number) {
  const size = requestedSize ?? (await latestCheckpoint(db))?.treeSize;
  if (size === undefined) throw new AuditApiError("no_checkpoint", "No checkpoint has been signed yet.");
  const current = await treeSize(db);
  if (size < 1 || size > current) throw new AuditApiError("tree_size_out_of_range", `tree_size must be between 1 and ${current}.`);
  if (leafIndex >= size) throw new AuditApiError("invalid_request", `leaf_index must be below tree_size (${size}).`);
  const [path, root, checkpoint] = await Promise.all([
    storedInclusionProof(db, leafIndex, size),
    storedRoot(db, size),
    checkpointAt(db, size),
  ]);
  return {
    leaf_index: leafIndex,
    tree_size: size,
    root_hash: root.toString("hex"),
    proof_path: hex(path),
    checkpoint: checkpoint ? checkpointJson(checkpoint) : null,
  };
}

/** Consistency proof between two tree sizes, with both roots. */
export async function consistencyFor(db: DbOrTx, from: number, to: number) {
  const current = await treeSize(db);
  if (from < 1 || from > to) throw new AuditApiError("invalid_request", "from must be at least 1 and at most to.");
  if (to > current) throw new AuditApiError("tree_size_out_of_range", `to must be at most the tree size (${current}).`);
  const [path, fromRoot, toRoot] = await Promise.all([storedConsistencyProof(db, from, to), storedRoot(db, from), storedRoot(db, to)]);
  return { from, to, from_root: fromRoot.toString("hex"), to_root: toRoot.toString("hex"), proof_path: hex(path) };
}

/** A checkpoint's root anchored on the chain: where, and how settled. */
export interface ChainAnchorJson {
  chain_id: number | null;
  tree_size: number;
  status: string;
  transaction: string | null;
  block_number: number | null;
  checkpoint: ReturnType<typeof checkpointJson>;
  /** The leaf's inclusion proof in this checkpoint's tree. */
  proof_path: string[];
}

/**
 * Proves that a leaf with this hash is in the log under the latest checkpoint, and under the first
 * checkpoint covering it whose root went to the chain (hourly, so usually an earlier or later one than
 * the latest). Reveals only the leaf index, proofs (hashes), the public checkpoints and their anchors:
 * nothing about other events. The caller checks the proofs and signatures itself (the /verify page does
 * in the browser); `verified` is the server's own check of the first proof.
 *
 * @param options.chainId the configured chain (LATCHKEY_AUDIT_CHAIN_ID), said with the chain anchor
 * @throws AuditApiError invalid_request (not 64 hex characters), not_found (no leaf has this hash)
 */
export async function verifyContentHash(db: DbOrTx, contentHash: string, options: { chainId?: number | null } = {}) {
  if (!/^[0-9a-f]{64}$/i.test(contentHash))
    throw new AuditApiError("invalid_request", "content_hash must be 64 hex characters (a SHA-256 leaf hash).");
  const [leaf] = await db
    .select({ leafIndex: auditLeaves.leafIndex })
    .from(auditLeaves)
    .where(leafHashIs(Buffer.from(contentHash, "hex")))
    .limit(1);
  if (!leaf) throw new AuditApiError("not_found", "No log entry has this content hash.");
  const checkpoint = await latestCheckpoint(db);
  if (!checkpoint || checkpoint.treeSize <= leaf.leafIndex) {
    return {
      verified: false,
      status: "pending",
      leaf_index: leaf.leafIndex,
      proof_path: [],
      checkpoint: null,
      anchor: null,
      anchors: [],
      chain: null,
    };
  }
  const path = await storedInclusionProof(db, leaf.leafIndex, checkpoint.treeSize);
  const anchorRows = await db
    .select()
    .from(auditAnchors)
    .where(eq(auditAnchors.treeSize, checkpoint.treeSize))
    .orderBy(auditAnchors.status, desc(auditAnchors.sink));
  const anchors = anchorRows.map((a) => ({ sink: a.sink, status: a.status, reference: a.reference, block_number: a.blockNumber }));
  // The server checks its own answer: a proof that does not lead to the signed root is not "verified".
  const verified = verifyInclusion(leaf.leafIndex, checkpoint.treeSize, Buffer.from(contentHash, "hex"), path, checkpoint.rootHash);
  return {
    verified,
    status: verified ? "included" : "proof_failed",
    leaf_index: leaf.leafIndex,
    tree_size: checkpoint.treeSize,
    proof_path: hex(path),
    checkpoint: checkpointJson(checkpoint),
    anchor: anchors[0] ? { sink: anchors[0].sink, status: anchors[0].status, reference: anchors[0].reference } : null,
    anchors,
    chain: await chainAnchorCovering(db, leaf.leafIndex, options.chainId ?? null),
  };
}

/** The first chain anchor (confirmed or on its way) of a checkpoint that covers the leaf, with the leaf's proof in it. */
async function chainAnchorCovering(db: DbOrTx, leafIndex: number, chainId: number | null): Promise<ChainAnchorJson | null> {
  const [row] = await db
    .select({ anchor: auditAnchors, checkpoint: auditCheckpoints })
    .from(auditAnchors)
    .innerJoin(auditCheckpoints, eq(auditCheckpoints.treeSize, auditAnchors.treeSize))
    .where(
      and(eq(auditAnchors.sink, "chain"), gt(auditAnchors.treeSize, leafIndex), inArray(auditAnchors.status, ["confirmed", "pending"])),
    )
    .orderBy(asc(auditAnchors.treeSize))
    .limit(1);
  if (!row) return null;
  return {
    chain_id: chainId,
    tree_size: row.anchor.treeSize,
    status: row.anchor.status,
    transaction: row.anchor.reference,
    block_number: row.anchor.blockNumber,
    checkpoint: checkpointJson(row.checkpoint),
    proof_path: hex(await storedInclusionProof(db, leafIndex, row.anchor.treeSize)),
  };
}
