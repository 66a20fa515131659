// The SIEM export: sequenced events in leaf order as NDJSON, one line per leaf with its index, its leaf
// hash and the entry that was hashed (entry.ts), read with a cursor: `after=<leaf index>` answers the
// leaves after that one. Leaf indices are dense and never change, so a collector (Vector, Fluent Bit, a
// shell loop) resumes from the last index it stored; storing it only after the lines are shipped makes
// the delivery at-least-once, and a line seen twice is recognised by its leaf index. Each line verifies
// on its own: SHA-256(0x00 ‖ JCS(entry)) = leaf_hash, and the /verify page or POST /api/v1/audit/verify
// proves the hash is in a signed checkpoint.
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import { toLogEntry, type LogEntry } from "./entry";
import { eventFromJson, eventJsonArray, type EventJson } from "./event-json";
import { rowsOf, treeSize } from "./tree-store";

/** One NDJSON line of the export. */
export interface ExportLine {
  leaf_index: number;
  /** SHA-256(0x00 ‖ JCS(entry)), hex: what inclusion proofs and checkpoints are built from. */
  leaf_hash: string;
  /** Exactly what was hashed into the leaf; null if the event row is gone (verification then fails naming it). */
  entry: LogEntry | null;
}

export const EXPORT_DEFAULT_LIMIT = 1000;
export const EXPORT_MAX_LIMIT = 10_000;

export interface ExportPage {
  lines: ExportLine[];
  /** The cursor for the next request: the last line's leaf index, or `after` again when there was nothing new. */
  next: number;
  /** The tree's size when read. */
  treeSize: number;
}

/**
 * The leaves after `after` (-1: from the first), at most `limit`, in leaf order.
 *
 * @param after a leaf index, or -1 for the start of the log
 * @param limit 1..EXPORT_MAX_LIMIT lines
 */
export async function exportLeaves(db: DbOrTx, after: number, limit = EXPORT_DEFAULT_LIMIT): Promise<ExportPage> {
  const result = await db.execute(sql`
    select coalesce(json_agg(json_build_array(
      l.leaf_index, encode(l.leaf_hash, 'hex'), case when e.id is null then null else ${eventJsonArray} end
    ) order by l.leaf_index), '[]')::text as page
    from (select * from audit_leaves where leaf_index > ${after} order by leaf_index limit ${limit}) l
    left join audit_events e on e.id = l.event_id`);
  const [row] = rowsOf<{ page: string }>(result);
  const items = JSON.parse(row?.page ?? "[]") as [leafIndex: number, leafHash: string, event: EventJson | null][];
  const lines = items.map(([leafIndex, leafHash, event]) => ({
    leaf_index: leafIndex,
    leaf_hash: leafHash,
    entry: event === null ? null : toLogEntry(eventFromJson(event)),
  }));
  return { lines, next: lines.at(-1)?.leaf_index ?? after, treeSize: await treeSize(db) };
}
