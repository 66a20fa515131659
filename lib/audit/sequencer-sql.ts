// The sequencer's statements besides the leaves (lib/audit/sequencer.ts): the tree's interior nodes
// (packed per 16 leaves, see node-blocks.ts), adding sequenced events to the daily counts, and what its
// sweep reads to move its mark: the transactions writing events now, and the first id without a leaf in
// a range.
import { sql } from "drizzle-orm";
import type { Tx } from "@/lib/db/client";
import type { EntryEvent } from "./entry";
import type { CompletedNode } from "./merkle";
import { PACKED_LEVEL, blockOf, isPackable, packBelow } from "./node-blocks";
import { rowsOf } from "./tree-store";

/**
 * Adds `events` (being sequenced in `tx`) to audit_daily_counts, per UTC day of `occurredAt`, extension
 * and outcome, in one statement. An event with an infinite time belongs to no day and is not counted.
 */
export async function addDailyCounts(tx: Tx, events: readonly EntryEvent[]): Promise<void> {
  const counts = new Map<string, { day: string; extension_id: string | null; outcome: string; events: number }>();
  for (const event of events) {
    if (!Number.isFinite(event.occurredAt.getTime())) continue;
    const day = event.occurredAt.toISOString().slice(0, 10);
    const key = `${day} ${event.extensionId ?? ""} ${event.outcome}`;
    const row = counts.get(key);
    if (row) row.events++;
    else counts.set(key, { day, extension_id: event.extensionId, outcome: event.outcome, events: 1 });
  }
  if (counts.size === 0) return;
  await tx.execute(sql`
    insert into audit_daily_counts (day, extension_id, outcome, events)
    select x.day, x.extension_id, x.outcome, x.events
    from jsonb_to_recordset(${JSON.stringify([...counts.values()])}::jsonb) as x(day date, extension_id uuid, outcome text, events bigint)
    on conflict on constraint audit_daily_counts_key do update set events = audit_daily_counts.events + excluded.events`);
}

/**
 * The transactions (PostgreSQL virtual transaction ids, e.g. "4/1711") other than this one that hold a
 * write lock on audit_event_rows in this database now: every transaction that has taken an event id and not
 * ended is one of them, since the id is taken inside its INSERT. Empty on PGlite (one connection).
 */
export async function eventWriters(tx: Tx): Promise<Set<string>> {
  const [row] = rowsOf<{ writers: string | null }>(
    await tx.execute(sql`
      select string_agg(distinct virtualtransaction, ',') as writers from pg_locks
      where locktype = 'relation' and mode = 'RowExclusiveLock' and pid <> pg_backend_pid()
        and database = (select oid from pg_database where datname = current_database())
        and relation = 'audit_event_rows'::regclass`),
  );
  return new Set(row?.writers ? row.writers.split(",") : []);
}

/**
 * The lowest event id in (from, to) that no leaf holds, or null when every id between the leaves' event
 * ids in (from, to] is taken. Reads only the leaves in that range (the unique index on event_id).
 */
export async function firstMissingId(tx: Tx, from: number, to: number): Promise<number | null> {
  const [row] = rowsOf<{ id: string | null }>(
    await tx.execute(sql`
      select min(prev + 1)::text as id from (
        select event_id, lag(event_id, 1, ${from}::bigint) over (order by event_id) as prev
        from audit_leaves where event_id > ${from} and event_id <= ${to}
      ) as runs where event_id > prev + 1`),
  );
  return row?.id === null || row?.id === undefined ? null : Number(row.id);
}

/**
 * Writes the interior nodes a batch completed, `firstLeaf` being the batch's first leaf index: a level-4
 * node carries the 14 nodes below it (packed), taking those of its subtree that earlier batches wrote
 * one row each out of their rows; nodes of a subtree still incomplete get a row each.
 */
export async function writeNodes(tx: Tx, nodes: readonly CompletedNode[], firstLeaf: number): Promise<void> {
  if (nodes.length === 0) return;
  const completed = nodes.filter((n) => n.level === PACKED_LEVEL).map((n) => n.index);
  const all = [...nodes];
  // Only the subtree the batch started inside can have nodes from an earlier batch.
  const started = Math.floor(firstLeaf / 2 ** PACKED_LEVEL);
  const earlier = completed.includes(started) && firstLeaf % 2 ** PACKED_LEVEL !== 0 ? started : null;
  if (earlier !== null) {
    const rows = rowsOf<{ level: number; idx: string | number; hash: string }>(
      await tx.execute(sql`select level, idx, encode(hash, 'hex') as hash from audit_nodes where ${lowerNodesOf(earlier)}`),
    );
    for (const r of rows) all.push({ level: Number(r.level), index: Number(r.idx), hash: Buffer.from(r.hash, "hex") });
  }
  const below = new Map<number, Buffer | null>(completed.map((block) => [block, packBelow(block, all)]));
  if (earlier !== null && below.get(earlier)) await tx.execute(sql`delete from audit_nodes where ${lowerNodesOf(earlier)}`);
  const rows = nodes
    .filter((n) => !(isPackable(n.level) && below.get(blockOf(n.level, n.index))))
    .map((n) => ({
      level: n.level,
      idx: n.index,
      hash: n.hash.toString("hex"),
      below: n.level === PACKED_LEVEL ? (below.get(n.index)?.toString("hex") ?? null) : null,
    }));
  await tx.execute(sql`
    insert into audit_nodes (level, idx, hash, below)
    select x.level, x.idx, decode(x.hash, 'hex'), decode(x.below, 'hex')
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(level smallint, idx bigint, hash text, below text)`);
}

/** The rows of level-4 subtree `block`'s nodes at levels 1 to 3, by primary key ranges. */
const lowerNodesOf = (block: number) =>
  sql.join(
    [1, 2, 3].map((level) => {
      const count = 2 ** (PACKED_LEVEL - level);
      return sql`(level = ${level} and idx between ${block * count} and ${block * count + count - 1})`;
    }),
    sql` or `,
  );
