// How the audit log is keeping up, read from the database for the metrics endpoint (lib/metrics.ts):
// events waiting to be sequenced and how long the oldest has waited, the tree size, the age of the latest
// checkpoint, and each anchor sink's backlog and newest confirmed anchor. Every query walks an index from
// its newest end, so a scrape costs the same on a log of any length.
import { and, desc, eq, gt, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import { auditAnchors, auditCheckpoints, auditEvents, auditLeaves } from "@/lib/db/schema";
import type { AuditProbe } from "@/lib/core/metrics";

/**
 * The audit log's state as `AuditProbe` for the sinks named (the configured ones: "file", "witness",
 * "chain"). "Unsequenced" counts the events above the highest sequenced id: an event that commits after
 * higher ids were sequenced (a late commit, sequenced at the next sweep) is not counted meanwhile.
 *
 * @param now the clock the ages are measured against
 */
export async function auditHealth(db: DbOrTx, sinks: readonly string[], now: Date = new Date()): Promise<AuditProbe> {
  const ageSeconds = (at: Date | string | null | undefined) => (at ? Math.max(0, (now.getTime() - new Date(at).getTime()) / 1000) : null);
  const highest = db.select({ id: sql`coalesce(max(${auditLeaves.eventId}), 0)` }).from(auditLeaves);
  const [[waiting], [leaf], [checkpoint], backlog, confirmed] = await Promise.all([
    db
      .select({ n: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${auditEvents.occurredAt})` })
      .from(auditEvents)
      .where(gt(auditEvents.id, sql`(${highest})`)),
    db.select({ index: auditLeaves.leafIndex }).from(auditLeaves).orderBy(desc(auditLeaves.leafIndex)).limit(1),
    db.select({ createdAt: auditCheckpoints.createdAt }).from(auditCheckpoints).orderBy(desc(auditCheckpoints.treeSize)).limit(1),
    db
      .select({ sink: auditAnchors.sink, status: auditAnchors.status, n: sql<number>`count(*)::int` })
      .from(auditAnchors)
      .where(inArray(auditAnchors.status, ["pending", "failed"]))
      .groupBy(auditAnchors.sink, auditAnchors.status),
    Promise.all(
      sinks.map(async (sink) => {
        const [row] = await db
          .select({ treeSize: auditAnchors.treeSize, updatedAt: auditAnchors.updatedAt })
          .from(auditAnchors)
          .where(and(eq(auditAnchors.sink, sink), eq(auditAnchors.status, "confirmed")))
          .orderBy(desc(auditAnchors.treeSize))
          .limit(1);
        return { sink, row };
      }),
    ),
  ]);
  const count = (sink: string, status: string) => backlog.find((b) => b.sink === sink && b.status === status)?.n ?? 0;
  return {
    unsequenced: waiting?.n ?? 0,
    lagSeconds: ageSeconds(waiting?.oldest) ?? 0,
    treeSize: leaf ? leaf.index + 1 : 0,
    checkpointAgeSeconds: ageSeconds(checkpoint?.createdAt),
    anchors: confirmed.map(({ sink, row }) => ({
      sink,
      pending: count(sink, "pending"),
      failed: count(sink, "failed"),
      confirmedTreeSize: row?.treeSize ?? null,
      confirmedAgeSeconds: ageSeconds(row?.updatedAt),
    })),
  };
}
