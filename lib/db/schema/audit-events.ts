// The audit trail's event table. Events are appended in the same transaction as the change they
// describe and are never updated or deleted by the application.
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
  (t) => [
    index("audit_events_occurred_idx").on(t.occurredAt),
    index("audit_events_extension_idx").on(t.extensionId, t.occurredAt),
    index("audit_events_org_idx").on(t.orgId, t.occurredAt),
    index("audit_events_actor_idx").on(t.actorKind, t.actorId, t.occurredAt),
  ],
);

export type AuditEventRow = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;
