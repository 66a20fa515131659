// The audit trail's event table. Events are appended in the same transaction as the change they
// describe and are never updated or deleted by the application.
import { sql } from "drizzle-orm";
import { bigserial, index, json, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { tstz } from "@/lib/db/schema/types";

export const actorKinds = ["user", "extension", "system"] as const;
export const sourceKinds = ["ui", "api", "worker", "cli"] as const;
export const outcomes = ["success", "failure", "denied"] as const;

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    occurredAt: tstz("occurred_at").notNull().defaultNow(),
    actorKind: text("actor_kind", { enum: actorKinds }).notNull(),
    actorId: text("actor_id").notNull(),
    action: text("action").notNull(),
    target: text("target").notNull(),
    extensionId: uuid("extension_id"),
    orgId: uuid("org_id"),
    sourceKind: text("source_kind", { enum: sourceKinds }).notNull(),
    sourceIp: text("source_ip"),
    sourceUserAgent: text("source_user_agent"),
    outcome: text("outcome", { enum: outcomes }).notNull(),
    // json, not jsonb: it keeps the text as written, and the application writes it in RFC 8785 canonical
    // form (insertEventRows), so verifying the log hashes it as it is instead of re-canonicalizing it.
    details: json("details").$type<Record<string, unknown>>().notNull().default({}),
  },
  // Only the indexes a reader needs, as small as they can be (issue 19: about 940 bytes an event before,
  // indexes larger than the table). Pages are newest first by id (the primary key); a filter on one
  // actor, extension or organization reads a single-column btree, whose duplicates PostgreSQL keeps as
  // one key with a list of row pointers (6 bytes an event), then sorts the few matching rows by id, or
  // walks the primary key backwards when the value is common (the planner picks from the statistics).
  // Time is a BRIN range (rows are appended in time order): the activity counts and the from/to filters.
  // Failures and denials are rare, so their filter has a partial index of ids.
  (t) => [
    index("audit_events_occurred_idx").using("brin", t.occurredAt),
    index("audit_events_extension_idx").on(t.extensionId),
    index("audit_events_org_idx").on(t.orgId),
    index("audit_events_actor_idx").on(t.actorId),
    index("audit_events_not_success_idx")
      .on(t.outcome, t.id)
      .where(sql`${t.outcome} <> 'success'`),
  ],
);

export type AuditEventRow = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;
