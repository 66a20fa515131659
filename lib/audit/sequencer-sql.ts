// The sequencer's bookkeeping statements (lib/audit/sequencer.ts): adding sequenced events to the daily
// counts, and what its sweep reads to move its mark: the transactions writing events now, and the first
// id without a leaf in a range.
import { sql } from "drizzle-orm";
import type { Tx } from "@/lib/db/client";
import type { EntryEvent } from "./entry";
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
 * write lock on audit_events in this database now: every transaction that has taken an event id and not
 * ended is one of them, since the id is taken inside its INSERT. Empty on PGlite (one connection).
 */
export async function eventWriters(tx: Tx): Promise<Set<string>> {
  const [row] = rowsOf<{ writers: string | null }>(
    await tx.execute(sql`
      select string_agg(distinct virtualtransaction, ',') as writers from pg_locks
      where locktype = 'relation' and mode = 'RowExclusiveLock' and pid <> pg_backend_pid()
        and database = (select oid from pg_database where datname = current_database())
        and relation = 'audit_events'::regclass`),
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
