// bench:audit's storage and bookkeeping figures (issue 19, "an audit log that stays small"): bytes per
// event of each audit relation (pg_total_relation_size, every index listed), what the admin overview's
// counts cost, and what the sequencer's sweep for late commits costs, each beside what the log did before.
import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { dailyAuditActivity, sequencerState } from "@/lib/audit/activity";
import { Sequencer } from "@/lib/audit/sequencer";
import type { CheckpointSigner } from "@/lib/audit/signing-key";
import { rowsOf } from "@/lib/audit/tree-store";
import { fmt } from "./lib";

const BYTES_GOAL = 400;

/** Median milliseconds of `runs` calls of fn. */
async function medianMs(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

/**
 * Bytes per audit event of every audit relation, each table's heap (with its TOAST) and each of its
 * indexes apart, and their total beside the goal. `events` is the number of events in the log.
 */
export async function printStorage(db: Db, events: number): Promise<void> {
  const rows = rowsOf<{ table: string; part: string; bytes: string }>(
    await db.execute(sql`
      select t.relname as table, t.relname || ' (table)' as part,
        (pg_total_relation_size(t.oid) - pg_indexes_size(t.oid))::text as bytes
      from pg_class t where t.relkind = 'r' and t.relname like 'audit\\_%' and t.relnamespace = 'public'::regnamespace
      union all
      select t.relname, i.relname || ' (' || am.amname || ')', pg_relation_size(i.oid)::text
      from pg_class t join pg_index x on x.indrelid = t.oid join pg_class i on i.oid = x.indexrelid join pg_am am on am.oid = i.relam
      where t.relkind = 'r' and t.relname like 'audit\\_%' and t.relnamespace = 'public'::regnamespace
      order by 1, 2`),
  );
  const perEvent = (bytes: number) => bytes / events;
  const tables = new Map<string, { total: number; parts: string[] }>();
  for (const row of rows) {
    const entry = tables.get(row.table) ?? { total: 0, parts: [] };
    entry.total += Number(row.bytes);
    entry.parts.push(`${row.part} ${fmt(perEvent(Number(row.bytes)), 1)}`);
    tables.set(row.table, entry);
  }
  const total = [...tables.values()].reduce((n, t) => n + t.total, 0);
  console.log(`  storage, bytes per event (pg_total_relation_size over ${fmt(events)} events, after vacuum):`);
  for (const [table, { total: bytes, parts }] of tables) {
    if (perEvent(bytes) < 0.5) continue;
    console.log(`    ${table}: ${fmt(perEvent(bytes), 1)}  = ${parts.join(", ")}`);
  }
  console.log(
    `    all audit relations: ${fmt(perEvent(total), 1)} bytes per event, ${fmt(total / 1048576, 1)} MB  (goal ≤ ${BYTES_GOAL}; tables under 0.5 B/event not listed)`,
  );
}

/**
 * What the admin overview's audit figures cost now (kept daily counts, the backlog counted live) next to
 * the count over the last 30 days of events it ran before, and what a sequencer sweep costs: three
 * sweeps ten minutes apart (on the sequencer's clock) from a new sequencer, the first over the ids never
 * swept (as after an upgrade), and the full anti-join every sweep ran before.
 */
export async function printBookkeeping(db: Db, signer: () => Promise<CheckpointSigner>): Promise<void> {
  const firstDay = new Date(Date.now() - 29 * 86_400_000);
  const activityMs = await medianMs(5, () => dailyAuditActivity(db, { kind: "all" }, { days: 30 }));
  const stateMs = await medianMs(5, () => sequencerState(db));
  const beforeMs = await medianMs(3, () =>
    db.execute(sql`select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day, outcome, count(*)::int
      from audit_events where occurred_at >= ${firstDay.toISOString()}::timestamptz group by 1, 2`),
  );
  console.log(
    `  /admin audit figures: 30 days of activity ${fmt(activityMs, 1)} ms, sequencer state ${fmt(stateMs, 1)} ms (median of 5); the count over 30 days of events they replace: ${fmt(beforeMs)} ms`,
  );
  const sweeper = new Sequencer({ db, signer, sinks: [], sweepIntervalMs: 600_000 });
  const now = Date.now();
  const sweeps: number[] = [];
  for (let i = 0; i < 3; i++) sweeps.push(await medianMs(1, () => sweeper.tick({ now: new Date(now + i * 600_000) })));
  const tickMs = await medianMs(5, () => sweeper.tick({ now: new Date(now + 1_200_001) }));
  const antiJoinMs = await medianMs(1, () =>
    db.execute(
      sql`select count(*) from (select id from audit_events e where not exists (select 1 from audit_leaves l where l.event_id = e.id) order by id limit 5000) as x`,
    ),
  );
  const [mark] = rowsOf<{ swept_to: string }>(await db.execute(sql`select swept_to::text from audit_sequencer_state`));
  console.log(
    `  sequencer sweeps for late commits, ticks 10 minutes apart: ${sweeps.map((ms) => `${fmt(ms, 1)} ms`).join(", ")} (the first reads every id never swept, as after an upgrade, and stops at the first missing id; the next moves past the ids no transaction can still hold; later ones read only ids above the mark, now ${fmt(Number(mark?.swept_to ?? 0))}); a tick without a sweep ${fmt(tickMs, 1)} ms; the full anti-join each sweep ran before: ${fmt(antiJoinMs)} ms`,
  );
}
