// The audit trail as CSV (RFC 4180, CRLF lines): the columns and one row's line, with cells that would
// start a spreadsheet formula written as text.
import type { AuditRow } from "./audit-rows";

export const csvColumns = [
  "id",
  "occurred_at",
  "actor_kind",
  "actor_id",
  "actor_name",
  "action",
  "target",
  "extension_id",
  "extension_name",
  "org_id",
  "org_name",
  "source_kind",
  "source_ip",
  "source_user_agent",
  "outcome",
  "details",
  "leaf_index",
  "leaf_hash",
  "withheld",
] as const;

function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  // Spreadsheet formula injection: a cell starting with = + - @ is shown as text.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(r: AuditRow): string {
  const values = [
    r.id,
    r.occurred_at,
    r.actor.kind,
    r.actor.id,
    r.actor.name,
    r.action,
    r.target,
    r.extension?.id,
    r.extension?.name,
    r.org?.id,
    r.org?.name,
    r.source.kind,
    r.source.ip,
    r.source.user_agent,
    r.outcome,
    r.details,
    r.leaf_index,
    r.leaf_hash,
    r.withheld.join(" "),
  ];
  return `${values.map(csvCell).join(",")}\r\n`;
}
