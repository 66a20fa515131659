// The tamper-evident log built over audit_events (which are never updated): each event's position
// (leaf) in the RFC 6962 Merkle tree, the tree's completed interior nodes (so proofs read O(log n) rows),
// signed checkpoints of the tree head, and the anchors each checkpoint was handed to.
import { sql } from "drizzle-orm";
import { bigint, bigserial, check, index, integer, pgTable, primaryKey, smallint, text, uniqueIndex } from "drizzle-orm/pg-core";
import { bytea, createdAt, tstz } from "@/lib/db/schema/types";

/**
 * The log itself: one row, written when the log is created. Its origin (the name in every signed
 * checkpoint) is fixed from then on, whatever LATCHKEY_URL later says, so moving to a new domain does not
 * make the history fail verification.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    /** Always 1: a database holds one log. */
    id: smallint("id").primaryKey().default(1),
    origin: text("origin").notNull(),
    createdAt: createdAt(),
  },
  (t) => [check("audit_log_one_row", sql`${t.id} = 1`)],
);

export const auditLeaves = pgTable(
  "audit_leaves",
  {
    leafIndex: bigint("leaf_index", { mode: "number" }).primaryKey(),
    eventId: bigint("event_id", { mode: "number" }).notNull(),
    /** SHA-256(0x00 ‖ JCS(entry)), see lib/audit/entry.ts. */
    leafHash: bytea("leaf_hash").notNull(),
  },
  // The lookup by leaf hash (POST /api/v1/audit/verify) goes through a btree of the hash's first 8 bytes
  // as a bigint (audit_leaf_key, migration 0011), then compares the whole hash: 16-byte index entries
  // instead of a btree of 32-byte random keys (more room than the leaves themselves) or a hash index
  // (38 bytes a leaf at 1M leaves, half-empty buckets after each split).
  (t) => [uniqueIndex("audit_leaves_event_idx").on(t.eventId), index("audit_leaves_key_idx").on(sql`audit_leaf_key(${t.leafHash})`)],
);

/**
 * Perfect subtrees at level ≥ 1: the node over leaves [idx·2^level, (idx+1)·2^level). Levels 1 to 3 of a
 * complete 16-leaf subtree live packed in its level-4 row (`below`).
 */
export const auditNodes = pgTable(
  "audit_nodes",
  {
    level: smallint("level").notNull(),
    idx: bigint("idx", { mode: "number" }).notNull(),
    hash: bytea("hash").notNull(),
    /**
     * Level 4 only, once its subtree is complete: the 14 nodes below it (levels 1 to 3), packed, which then
     * have no rows of their own (lib/audit/node-blocks.ts).
     */
    below: bytea("below"),
  },
  (t) => [primaryKey({ columns: [t.level, t.idx] })],
);

export const auditCheckpoints = pgTable("audit_checkpoints", {
  treeSize: bigint("tree_size", { mode: "number" }).primaryKey(),
  rootHash: bytea("root_hash").notNull(),
  origin: text("origin").notNull(),
  /** The C2SP signed note, exactly as signed. */
  note: text("note").notNull(),
  /** Hex key id of the signing key (first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)). */
  keyId: text("key_id").notNull(),
  createdAt: createdAt(),
});

export const anchorStatuses = ["pending", "confirmed", "failed"] as const;
export type AnchorStatus = (typeof anchorStatuses)[number];

export const auditAnchors = pgTable(
  "audit_anchors",
  {
    treeSize: bigint("tree_size", { mode: "number" })
      .notNull()
      .references(() => auditCheckpoints.treeSize, { onDelete: "restrict" }),
    sink: text("sink").notNull(),
    status: text("status", { enum: anchorStatuses }).notNull().default("pending"),
    /** Where the sink put it: a file offset, a witness receipt id, a chain transaction hash. */
    reference: text("reference"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** A failed anchor is retried from then on (backoff); null: at once. */
    nextAttemptAt: tstz("next_attempt_at"),
    /** Chain anchors: when the transaction in `reference` was sent, and the block that included it. */
    submittedAt: tstz("submitted_at"),
    blockNumber: bigint("block_number", { mode: "number" }),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.treeSize, t.sink] }), index("audit_anchors_status_idx").on(t.status)],
);

/**
 * The archive files events past their retention were moved to (lib/audit/archive.ts): their bodies left
 * audit_events, their leaves and the tree's nodes stayed, so every checkpoint and proof still verifies and
 * a verification reads the bodies back from these files (gzip JSONL, one log entry per line with its leaf
 * index). One row per file, written in the transaction that deletes the events it holds.
 */
export const auditArchives = pgTable("audit_archives", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  /** The file's name in the archive directory (LATCHKEY_AUDIT_ARCHIVE_DIR). */
  file: text("file").notNull().unique(),
  /** The lowest and highest leaf index it holds (it may skip leaves: events of another retention class). */
  firstLeaf: bigint("first_leaf", { mode: "number" }).notNull(),
  lastLeaf: bigint("last_leaf", { mode: "number" }).notNull(),
  events: integer("events").notNull(),
  /** SHA-256 of the file's bytes as written. */
  sha256: bytea("sha256").notNull(),
  bytes: bigint("bytes", { mode: "number" }).notNull(),
  /** The newest event time it holds. */
  lastOccurredAt: tstz("last_occurred_at").notNull(),
  createdAt: createdAt(),
});

export type AuditArchiveRow = typeof auditArchives.$inferSelect;
export type AuditLogRow = typeof auditLog.$inferSelect;
export type AuditLeafRow = typeof auditLeaves.$inferSelect;
export type AuditCheckpointRow = typeof auditCheckpoints.$inferSelect;
export type AuditAnchorRow = typeof auditAnchors.$inferSelect;
