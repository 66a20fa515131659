// What the audit log keeps so that reading its size and activity, and sequencing it, cost the same on a
// log of any length: events per UTC day, extension and outcome, counted by the sequencer as it gives
// each event its leaf (one leader, in the transaction that writes the leaves, so every sequenced event is
// counted exactly once), and the sequencer's sweep mark (every event id at or below it is sequenced or
// will never commit), so its periodic sweep for late commits reads only the ids above it.
import { sql } from "drizzle-orm";
import { bigint, check, date, pgTable, smallint, text, unique, uuid } from "drizzle-orm/pg-core";
import { outcomes } from "@/lib/db/schema/audit-events";

export const auditDailyCounts = pgTable(
  "audit_daily_counts",
  {
    /** The UTC day of the events' `occurred_at`. */
    day: date("day", { mode: "string" }).notNull(),
    /** Null for events of no extension (one row per day and outcome for all of them). */
    extensionId: uuid("extension_id"),
    outcome: text("outcome", { enum: outcomes }).notNull(),
    /** Sequenced events of that day, extension and outcome. */
    events: bigint("events", { mode: "number" }).notNull(),
  },
  (t) => [unique("audit_daily_counts_key").on(t.day, t.extensionId, t.outcome).nullsNotDistinct()],
);

export const auditSequencerState = pgTable(
  "audit_sequencer_state",
  {
    /** Always 1: one sequencer state per log. */
    id: smallint("id").primaryKey().default(1),
    /**
     * Every event id ≤ this has a leaf, or was skipped as never committed (its transaction ended without
     * it; see lib/audit/sequencer.ts). The sweep for late commits starts above it.
     */
    sweptTo: bigint("swept_to", { mode: "number" }).notNull().default(0),
  },
  (t) => [check("audit_sequencer_state_one_row", sql`${t.id} = 1`)],
);

export type AuditDailyCountRow = typeof auditDailyCounts.$inferSelect;
