// The audit trail's events. Events are appended in the same transaction as the change they describe and
// are never updated or deleted by the application (archiving past retention aside, lib/audit/archive.ts).
//
// Stored compactly (issue 19: about 530 bytes an event at 1M events, the goal ≤ 400): what repeats from
// event to event is kept once in two dictionaries, and each event row holds their ids.
//   audit_contexts  who acted, for which organization and from where: actor kind and id, organization,
//                   source kind, IP address and user agent (one per session or token, in practice: an
//                   extension's reads all share one);
//   audit_subjects  what was acted on: action, target and extension (a few per declared name);
//   audit_event_rows  id, time, the two dictionary ids, outcome and details.
// Everything reads the view `audit_events`, which joins them back into the event's columns, so every
// query, export and verification sees the same columns as before. Writing goes to audit_event_rows
// through audit_context_id() and audit_subject_id() (insertEventRows); the view's INSTEAD OF triggers
// do the same for a row written to the view by hand (migration 0011).
import { sql } from "drizzle-orm";
import { bigint, bigserial, index, integer, json, pgTable, pgView, serial, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { bytea, tstz } from "@/lib/db/schema/types";

export const actorKinds = ["user", "extension", "system"] as const;
export const sourceKinds = ["ui", "api", "worker", "cli"] as const;
export const outcomes = ["success", "failure", "denied"] as const;

/**
 * Who acted, for which organization and from where, once per distinct combination. `digest` is SHA-256 of
 * the JSON array of the six values (audit_context_digest), the key the writers look it up by.
 */
export const auditContexts = pgTable(
  "audit_contexts",
  {
    id: serial("id").primaryKey(),
    actorKind: text("actor_kind", { enum: actorKinds }).notNull(),
    actorId: text("actor_id").notNull(),
    orgId: uuid("org_id"),
    sourceKind: text("source_kind", { enum: sourceKinds }).notNull(),
    sourceIp: text("source_ip"),
    sourceUserAgent: text("source_user_agent"),
    digest: bytea("digest").notNull(),
  },
  (t) => [
    uniqueIndex("audit_contexts_digest_idx").on(t.digest),
    index("audit_contexts_actor_idx").on(t.actorId),
    index("audit_contexts_org_idx").on(t.orgId),
  ],
);

/** What was acted on, once per distinct action, target and extension; `digest` as in audit_contexts. */
export const auditSubjects = pgTable(
  "audit_subjects",
  {
    id: serial("id").primaryKey(),
    action: text("action").notNull(),
    target: text("target").notNull(),
    extensionId: uuid("extension_id"),
    digest: bytea("digest").notNull(),
  },
  (t) => [uniqueIndex("audit_subjects_digest_idx").on(t.digest), index("audit_subjects_extension_idx").on(t.extensionId)],
);

/**
 * One row per event. Only the indexes a reader needs: pages are newest first by id (the primary key); a
 * filter on an actor, organization or extension finds its few dictionary ids, then the events through a
 * single-column btree (PostgreSQL keeps a repeated key once with a list of row pointers, about 6 bytes an
 * event); time is a BRIN range (rows are appended in time order); failures and denials are rare, so
 * their filter has a partial index of ids. The primary key, over ids that only grow, is full
 * (fillfactor 100, set by migration 0011): nothing is ever inserted between its keys.
 */
export const auditEventRows = pgTable(
  "audit_event_rows",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    occurredAt: tstz("occurred_at").notNull().defaultNow(),
    contextId: integer("context_id").notNull(),
    subjectId: integer("subject_id").notNull(),
    outcome: text("outcome", { enum: outcomes }).notNull(),
    // json, not jsonb: it keeps the text as written, and the application writes it in RFC 8785 canonical
    // form (insertEventRows), so verifying the log hashes it as it is instead of re-canonicalizing it.
    details: json("details").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index("audit_event_rows_occurred_idx").using("brin", t.occurredAt),
    index("audit_event_rows_context_idx").on(t.contextId),
    index("audit_event_rows_subject_idx").on(t.subjectId),
    index("audit_event_rows_not_success_idx")
      .on(t.outcome, t.id)
      .where(sql`${t.outcome} <> 'success'`),
  ],
);

/**
 * The events as every reader sees them: audit_event_rows joined with its two dictionaries (migration
 * 0011 creates it, with INSTEAD OF triggers so a row inserted, updated or deleted here changes the
 * stored event accordingly).
 */
export const auditEvents = pgView("audit_events", {
  id: bigint("id", { mode: "number" }).notNull(),
  occurredAt: tstz("occurred_at").notNull(),
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
  details: json("details").$type<Record<string, unknown>>().notNull(),
}).existing();

/** An event as read from audit_events. */
export type AuditEventRow = typeof auditEvents.$inferSelect;

/** An event to write (insertEventRows): the id and time are given by the database unless set. */
export type NewAuditEvent = Omit<
  AuditEventRow,
  "id" | "occurredAt" | "extensionId" | "orgId" | "sourceIp" | "sourceUserAgent" | "details"
> &
  Partial<Pick<AuditEventRow, "id" | "occurredAt" | "extensionId" | "orgId" | "sourceIp" | "sourceUserAgent" | "details">>;
