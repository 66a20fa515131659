// Appending audit events. Every credential operation writes one event in the same transaction as
// the change, so there is no change without its event. Events carry identities and outcomes, never
// values: at most a length and a keyed fingerprint.
import type { DbOrTx } from "@/lib/db/client";
import type { NewAuditEvent } from "@/lib/db/schema";
import { insertEventRows } from "./event-json";

export type ActorKind = "user" | "extension" | "system";
export type SourceKind = "ui" | "api" | "worker" | "cli";

export interface AuditActor {
  kind: ActorKind;
  id: string;
}

export interface AuditSource {
  kind: SourceKind;
  ip?: string | null;
  userAgent?: string | null;
}

export interface AuditEventInput {
  actor: AuditActor;
  source: AuditSource;
  action: string;
  target: string;
  extensionId?: string | null;
  orgId?: string | null;
  outcome?: "success" | "failure" | "denied";
  details?: Record<string, unknown>;
  occurredAt?: Date;
}

export function toAuditRow(event: AuditEventInput): NewAuditEvent {
  return {
    occurredAt: event.occurredAt ?? new Date(),
    actorKind: event.actor.kind,
    actorId: event.actor.id,
    action: event.action,
    target: event.target,
    extensionId: event.extensionId ?? null,
    orgId: event.orgId ?? null,
    sourceKind: event.source.kind,
    sourceIp: event.source.ip ?? null,
    sourceUserAgent: event.source.userAgent ?? null,
    outcome: event.outcome ?? "success",
    details: event.details ?? {},
  };
}

/** Writes events; pass the change's transaction so the event commits or rolls back with it. */
export type AuditAppender = (tx: DbOrTx, events: AuditEventInput[]) => Promise<void>;

export const appendAuditEvents: AuditAppender = async (tx, events) => {
  await insertEventRows(tx, events.map(toAuditRow));
};
