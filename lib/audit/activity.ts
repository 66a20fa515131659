// How much the audit trail records and how far its sequencer and anchors keep up, for the overview pages:
// events per day over a bounded window (the admin's whole platform, or one publisher's extension), the
// events still waiting for a leaf index, and the newest checkpoint with its anchors. No query grows with
// the log: the days are read from audit_daily_counts (the sequencer counts each event as it sequences it,
// lib/audit/sequencer.ts) plus the events above the last sequenced id (the backlog, on the primary key);
// the rest is `limit 1` or max() on an index.
import { and, desc, eq, gt, gte, sql } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import { auditAnchors, auditArchives, auditCheckpoints, auditDailyCounts, auditEvents, auditLeaves, extensions } from "@/lib/db/schema";
import { treeSize } from "./tree-store";

const DAY_MS = 86_400_000;

/** One UTC day of audit events, by outcome. `day` is `YYYY-MM-DD` (UTC). */
export interface DailyActivity {
  day: string;
  success: number;
  failure: number;
  denied: number;
}

/** Which events to count: everything (admins), or one extension, only if `publisherId` owns it. */
export type ActivityScope = { kind: "all" } | { kind: "extension"; extensionId: string; publisherId: string };

/**
 * Events per UTC day for the `days` days up to and including `now`'s day, oldest first, every day
 * present (zeros where nothing happened). Sequenced events come from the kept counts; events waiting for
 * the sequencer (ids above the last sequenced one) are counted from the log itself, so a new event shows
 * at once. A late commit below the last sequenced id (see sequencer.ts) shows once it is sequenced.
 */
export async function dailyAuditActivity(
  db: DbOrTx,
  scope: ActivityScope,
  options: { days?: number; now?: Date } = {},
): Promise<DailyActivity[]> {
  const days = options.days ?? 30;
  const now = options.now ?? new Date();
  const firstDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * DAY_MS);
  const owned =
    scope.kind === "extension"
      ? sql`exists (select 1 from ${extensions} where ${extensions.id} = ${scope.extensionId} and ${extensions.publisherId} = ${scope.publisherId})`
      : undefined;
  const counted = db
    .select({
      day: sql<string>`${auditDailyCounts.day}::text`,
      outcome: auditDailyCounts.outcome,
      n: sql<number>`sum(${auditDailyCounts.events})::int8`,
    })
    .from(auditDailyCounts)
    .where(
      and(
        gte(auditDailyCounts.day, firstDay.toISOString().slice(0, 10)),
        scope.kind === "extension" ? eq(auditDailyCounts.extensionId, scope.extensionId) : undefined,
        owned,
      ),
    )
    .groupBy(auditDailyCounts.day, auditDailyCounts.outcome);
  const day = sql<string>`to_char(${auditEvents.occurredAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const lastSequenced = sql`(select coalesce(max(${auditLeaves.eventId}), 0) from ${auditLeaves})`;
  const waiting = db
    .select({ day, outcome: auditEvents.outcome, n: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(
      and(
        gt(auditEvents.id, lastSequenced),
        gte(auditEvents.occurredAt, firstDay),
        scope.kind === "extension" ? eq(auditEvents.extensionId, scope.extensionId) : undefined,
        owned,
      ),
    )
    .groupBy(day, auditEvents.outcome);
  const rows = [...(await counted), ...(await waiting)];
  const byDay = new Map<string, DailyActivity>();
  for (let i = 0; i < days; i++) {
    const key = new Date(firstDay.getTime() + i * DAY_MS).toISOString().slice(0, 10);
    byDay.set(key, { day: key, success: 0, failure: 0, denied: 0 });
  }
  for (const row of rows) {
    const entry = byDay.get(row.day);
    if (entry) entry[row.outcome] += Number(row.n);
  }
  return [...byDay.values()];
}

/** Where the sequencer and the anchors are. Times are Dates; counts are events or leaves. */
export interface SequencerState {
  /** Leaves in the tree: events sequenced so far. */
  treeSize: number;
  /** Committed events above the last sequenced one, still waiting for a leaf index. */
  waiting: number;
  /** When the oldest of them happened; null when none waits. */
  oldestWaitingAt: Date | null;
  /** The newest signed checkpoint and each anchor sink's status for it. */
  latestCheckpoint: { treeSize: number; createdAt: Date; anchors: { sink: string; status: string }[] } | null;
  /** The newest checkpoint that at least one anchor sink confirmed. */
  latestAnchored: { treeSize: number; createdAt: Date; sinks: string[] } | null;
  /** Events moved to archive files past their retention (archive.ts), and the newest time among them (null: none). */
  archived: { events: number; files: number; newestAt: Date | null };
}

/**
 * The sequencer's lag and the newest checkpoints. "Waiting" counts events with ids above the last
 * sequenced one; a late commit below it (see sequencer.ts) is not counted, which only ever understates a
 * lag of a few events for a moment.
 */
export async function sequencerState(db: DbOrTx): Promise<SequencerState> {
  const [size, [last], [checkpoint], [anchored]] = await Promise.all([
    treeSize(db),
    db.select({ eventId: sql<number | null>`max(${auditLeaves.eventId})` }).from(auditLeaves),
    db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.treeSize)).limit(1),
    db
      .select({ treeSize: auditAnchors.treeSize })
      .from(auditAnchors)
      .where(eq(auditAnchors.status, "confirmed"))
      .orderBy(desc(auditAnchors.treeSize))
      .limit(1),
  ]);
  const after = Number(last?.eventId ?? 0);
  const [pending] = await db
    .select({ n: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${auditEvents.occurredAt})` })
    .from(auditEvents)
    .where(gt(auditEvents.id, after));
  const [checkpointAnchors, anchoredRows, archived] = await Promise.all([
    checkpoint
      ? db
          .select({ sink: auditAnchors.sink, status: auditAnchors.status })
          .from(auditAnchors)
          .where(eq(auditAnchors.treeSize, checkpoint.treeSize))
      : Promise.resolve([]),
    anchored
      ? db
          .select({ sink: auditAnchors.sink, createdAt: auditCheckpoints.createdAt })
          .from(auditAnchors)
          .innerJoin(auditCheckpoints, eq(auditCheckpoints.treeSize, auditAnchors.treeSize))
          .where(and(eq(auditAnchors.treeSize, anchored.treeSize), eq(auditAnchors.status, "confirmed")))
      : Promise.resolve([]),
    archivedEvents(db),
  ]);
  const anchoredAt = anchoredRows[0]?.createdAt;
  return {
    treeSize: size,
    waiting: Number(pending?.n ?? 0),
    oldestWaitingAt: pending?.oldest ? new Date(pending.oldest) : null,
    latestCheckpoint: checkpoint ? { treeSize: checkpoint.treeSize, createdAt: checkpoint.createdAt, anchors: checkpointAnchors } : null,
    latestAnchored:
      anchored && anchoredAt ? { treeSize: anchored.treeSize, createdAt: anchoredAt, sinks: anchoredRows.map((r) => r.sink) } : null,
    archived,
  };
}

/** Events moved to archive files past their retention (archive.ts): how many, in how many files, the newest time among them. */
export async function archivedEvents(db: DbOrTx): Promise<SequencerState["archived"]> {
  const [row] = await db
    .select({
      files: sql<number>`count(*)::int`,
      events: sql<string>`coalesce(sum(${auditArchives.events}), 0)::text`,
      newestAt: sql<string | null>`max(${auditArchives.lastOccurredAt})::text`,
    })
    .from(auditArchives);
  return { events: Number(row?.events ?? 0), files: Number(row?.files ?? 0), newestAt: row?.newestAt ? new Date(row.newestAt) : null };
}
