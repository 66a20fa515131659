// Reading the audit trail for the viewers: filtered, newest-first pages (keyset on id) with each row's
// log entry, leaf index and inclusion proof against the latest checkpoint, and streamed exports. Scoping
// is in the WHERE clause: everything (admins), one extension of a publisher the caller belongs to
// (publishers), or the caller's own actions (end users).
import { isUuid } from "@/lib/db/ids";
import { and, desc, eq, gte, ilike, inArray, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import { auditAnchors, auditEvents, auditLeaves, extensions, organizations, users, type AuditCheckpointRow } from "@/lib/db/schema";
import { toLogEntry, type LogEntry } from "./entry";
import { inclusionProof } from "./merkle";
import { latestCheckpoint, withStoredTree } from "./tree-store";

export type AuditScope =
  | { kind: "all" }
  | { kind: "extension"; extensionId: string; publisherIds: string[] }
  | { kind: "actor"; actorKind: "user"; actorId: string };

export interface AuditFilters {
  actor?: string;
  action?: string;
  extension?: string;
  org?: string;
  outcome?: "success" | "failure" | "denied";
  from?: Date;
  to?: Date;
}

export interface AuditProof {
  tree_size: number;
  root_hash: string;
  proof_path: string[];
}

export interface AuditAnchorInfo {
  sink: string;
  status: string;
  reference: string | null;
}

export interface AuditRow {
  id: number;
  occurred_at: string;
  actor: { kind: string; id: string; name: string | null };
  action: string;
  target: string;
  extension: { id: string; name: string | null } | null;
  org: { id: string; name: string | null } | null;
  source: { kind: string; ip: string | null; user_agent: string | null };
  outcome: string;
  details: Record<string, unknown>;
  /** Exactly what was hashed into the leaf (see entry.ts). */
  entry: LogEntry;
  leaf_index: number | null;
  /** Inclusion proof against the latest checkpoint, when the event is in it. */
  proof: AuditProof | null;
  anchors: AuditAnchorInfo[];
}

const escapeLike = (v: string) => v.replaceAll(/[\\%_]/g, (c) => `\\${c}`);

function scopeWhere(scope: AuditScope, db: DbOrTx): SQL | undefined {
  switch (scope.kind) {
    case "all":
      return undefined;
    case "extension":
      // Both conditions: the requested extension, and only if a publisher of the caller owns it.
      return and(
        eq(auditEvents.extensionId, scope.extensionId),
        inArray(
          auditEvents.extensionId,
          db
            .select({ id: extensions.id })
            .from(extensions)
            .where(
              inArray(
                extensions.publisherId,
                scope.publisherIds.length > 0 ? scope.publisherIds : ["00000000-0000-0000-0000-000000000000"],
              ),
            ),
        ),
      );
    case "actor":
      return and(eq(auditEvents.actorKind, scope.actorKind), eq(auditEvents.actorId, scope.actorId));
  }
}

function filterWhere(filters: AuditFilters): SQL[] {
  const where: SQL[] = [];
  if (filters.actor) {
    const like = `%${escapeLike(filters.actor)}%`;
    const match = or(eq(auditEvents.actorId, filters.actor), ilike(users.email, like), ilike(users.name, like));
    if (match) where.push(match);
  }
  if (filters.action) where.push(ilike(auditEvents.action, `${escapeLike(filters.action)}%`));
  if (filters.extension) {
    const like = `%${escapeLike(filters.extension)}%`;
    const match = isUuid(filters.extension)
      ? eq(auditEvents.extensionId, filters.extension)
      : or(ilike(extensions.slug, like), ilike(extensions.name, like));
    if (match) where.push(match);
  }
  if (filters.org) {
    const like = `%${escapeLike(filters.org)}%`;
    const match = isUuid(filters.org)
      ? eq(auditEvents.orgId, filters.org)
      : or(ilike(organizations.slug, like), ilike(organizations.name, like));
    if (match) where.push(match);
  }
  if (filters.outcome) where.push(eq(auditEvents.outcome, filters.outcome));
  if (filters.from) where.push(gte(auditEvents.occurredAt, filters.from));
  if (filters.to) where.push(lte(auditEvents.occurredAt, filters.to));
  return where;
}

async function selectPage(db: DbOrTx, scope: AuditScope, filters: AuditFilters, cursor: number | undefined, limit: number) {
  return db
    .select({
      event: auditEvents,
      leafIndex: auditLeaves.leafIndex,
      userName: users.name,
      extensionName: extensions.name,
      orgName: organizations.name,
    })
    .from(auditEvents)
    .leftJoin(auditLeaves, eq(auditLeaves.eventId, auditEvents.id))
    .leftJoin(users, and(eq(auditEvents.actorKind, "user"), eq(sql`${users.id}::text`, auditEvents.actorId)))
    .leftJoin(extensions, eq(extensions.id, auditEvents.extensionId))
    .leftJoin(organizations, eq(organizations.id, auditEvents.orgId))
    .where(and(scopeWhere(scope, db), ...filterWhere(filters), cursor === undefined ? undefined : lt(auditEvents.id, cursor)))
    .orderBy(desc(auditEvents.id))
    .limit(limit);
}

type PageRow = Awaited<ReturnType<typeof selectPage>>[number];

function toRow(r: PageRow, proof: AuditProof | null, anchors: AuditAnchorInfo[]): AuditRow {
  const e = r.event;
  return {
    id: e.id,
    occurred_at: e.occurredAt.toISOString(),
    actor: { kind: e.actorKind, id: e.actorId, name: r.userName ?? r.extensionName ?? null },
    action: e.action,
    target: e.target,
    extension: e.extensionId ? { id: e.extensionId, name: r.extensionName } : null,
    org: e.orgId ? { id: e.orgId, name: r.orgName } : null,
    source: { kind: e.sourceKind, ip: e.sourceIp, user_agent: e.sourceUserAgent },
    outcome: e.outcome,
    details: e.details,
    entry: toLogEntry(e),
    leaf_index: r.leafIndex,
    proof,
    anchors,
  };
}

export function checkpointJson(c: AuditCheckpointRow) {
  return {
    tree_size: c.treeSize,
    root_hash: c.rootHash.toString("hex"),
    origin: c.origin,
    key_id: c.keyId,
    note: c.note,
    created_at: c.createdAt.toISOString(),
  };
}

export interface AuditPage {
  rows: AuditRow[];
  nextCursor: number | null;
  checkpoint: ReturnType<typeof checkpointJson> | null;
}

/** One page of events, newest first, each with its inclusion proof against the latest checkpoint. */
export async function listAuditEvents(
  db: DbOrTx,
  scope: AuditScope,
  filters: AuditFilters,
  page: { cursor?: number; limit?: number } = {},
): Promise<AuditPage> {
  const limit = Math.min(Math.max(page.limit ?? 50, 1), 200);
  const [rows, checkpoint] = await Promise.all([selectPage(db, scope, filters, page.cursor, limit + 1), latestCheckpoint(db)]);
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  const size = checkpoint?.treeSize ?? 0;
  const covered = shown.filter((r) => r.leafIndex !== null && r.leafIndex < size).map((r) => r.leafIndex as number);
  const paths = covered.length
    ? await withStoredTree(db, (source) => new Map(covered.map((i) => [i, inclusionProof(source, i, size)])))
    : new Map<number, Buffer[]>();
  const anchors = checkpoint
    ? (await db.select().from(auditAnchors).where(eq(auditAnchors.treeSize, checkpoint.treeSize))).map((a) => ({
        sink: a.sink,
        status: a.status,
        reference: a.reference,
      }))
    : [];
  return {
    rows: shown.map((r) => {
      const path = r.leafIndex === null ? undefined : paths.get(r.leafIndex);
      const proof =
        path && checkpoint
          ? { tree_size: size, root_hash: checkpoint.rootHash.toString("hex"), proof_path: path.map((h) => h.toString("hex")) }
          : null;
      return toRow(r, proof, proof ? anchors : []);
    }),
    nextCursor: more ? (shown.at(-1)?.event.id ?? null) : null,
    checkpoint: checkpoint ? checkpointJson(checkpoint) : null,
  };
}

/** Every event of the filtered set, newest first, in pages: for streamed exports. */
export async function* exportAuditEvents(
  db: DbOrTx,
  scope: AuditScope,
  filters: AuditFilters,
  pageSize = 1000,
): AsyncGenerator<AuditRow[]> {
  let cursor: number | undefined;
  for (;;) {
    const rows = await selectPage(db, scope, filters, cursor, pageSize);
    if (rows.length === 0) return;
    yield rows.map((r) => toRow(r, null, []));
    if (rows.length < pageSize) return;
    cursor = rows.at(-1)?.event.id;
  }
}

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
  ];
  return `${values.map(csvCell).join(",")}\r\n`;
}

/** The extension a publisher's audit tab is for, with its publisher (for the membership guard). */
export async function extensionForAudit(db: DbOrTx, extensionId: string) {
  if (!isUuid(extensionId)) return null;
  const [row] = await db
    .select({ id: extensions.id, name: extensions.name, slug: extensions.slug, publisherId: extensions.publisherId })
    .from(extensions)
    .where(eq(extensions.id, extensionId));
  return row ?? null;
}
