// Reading the audit trail for the viewers: filtered, newest-first pages (keyset on id) with each row's
// log entry, leaf index and inclusion proof against the latest checkpoint, and streamed exports. Scoping
// is in the WHERE clause: everything (admins), one extension of a publisher the caller belongs to
// (publishers), or the caller's own actions (end users).
//
// A publisher's view is also a projection: the people acting on its extension are mostly end users of
// other organizations, whom the publisher has no business identifying or tracking. Those people appear
// as a pseudonym per (publisher, person) (see pseudonyms.ts), never a name, email or user id; the source
// address and user agent of events the publisher does not own (an action by someone who is not its
// member, or not by its own extension) are withheld; ids in details that would link a person across
// publishers are pseudonymized too. Organization names stay: the organization installed the publisher's
// extension, and knowing which customer an event concerns is what support needs. A row with anything
// withheld carries no `entry` (it would hold the raw values) but its `leaf_hash`, so its inclusion in the
// signed tree can still be proven. Members of the publisher keep their names; admins see everything.
import { isUuid } from "@/lib/db/ids";
import { and, desc, eq, getViewSelectedFields, gte, ilike, inArray, lt, lte, ne, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import {
  auditAnchors,
  auditEvents,
  auditLeaves,
  extensions,
  organizations,
  publisherMembers,
  users,
  type AuditCheckpointRow,
} from "@/lib/db/schema";
import { toLogEntry } from "./entry";
import { inclusionProof } from "./merkle";
import type { PublisherPseudonyms } from "./pseudonyms";
import { latestCheckpoint, withStoredTree } from "./tree-store";
import type { AuditAnchorInfo, AuditFilters, AuditProof, AuditRow, AuditScope } from "./audit-rows";

export type { AuditAnchorInfo, AuditFilters, AuditProof, AuditRow, AuditScope } from "./audit-rows";

const escapeLike = (v: string) => v.replaceAll(/[\\%_]/g, (c) => `\\${c}`);

function scopeWhere(scope: AuditScope, db: DbOrTx): SQL | undefined {
  switch (scope.kind) {
    case "all":
      return undefined;
    case "extension":
      // Both conditions: the requested extension, and only if a publisher of the caller owns it — the
      // publisher the pseudonyms were keyed for.
      return and(
        eq(auditEvents.extensionId, scope.extensionId),
        inArray(
          auditEvents.extensionId,
          db
            .select({ id: extensions.id })
            .from(extensions)
            .where(
              and(
                inArray(
                  extensions.publisherId,
                  scope.publisherIds.length > 0 ? scope.publisherIds : ["00000000-0000-0000-0000-000000000000"],
                ),
                eq(extensions.publisherId, scope.pseudonyms.publisherId),
              ),
            ),
        ),
      );
    case "actor":
      return and(eq(auditEvents.actorKind, scope.actorKind), eq(auditEvents.actorId, scope.actorId));
  }
}

/**
 * Whether the acting person is the one `term` names: their id, the start of their email ("eve",
 * "pat@acme"), or their name word by word, each word of the term starting a word of the name ("Eve",
 * "dana dev"). Never letters inside a word: "Eve" does not find "Dana Developer".
 */
function personMatch(term: string): SQL | undefined {
  const words = term.split(/\s+/).filter(Boolean);
  // A leading space and hyphens/dots as spaces, so " eve" only matches where a word of the name begins.
  const spacedName = sql`' ' || translate(${users.name}, '-.', '  ')`;
  return or(
    eq(auditEvents.actorId, term),
    ilike(users.email, `${escapeLike(term)}%`),
    words.length > 0 ? and(...words.map((w) => ilike(spacedName, `% ${escapeLike(w)}%`))) : undefined,
  );
}

/**
 * The actor filter. A publisher may find its own members by name, email or id, its extensions and other
 * actors by id, and anyone else only by the pseudonym its view shows: matching a name or email of
 * another organization's person would tell the publisher that person used its extension.
 */
function actorWhere(scope: AuditScope, actor: string): SQL | undefined {
  const byIdOrName = personMatch(actor);
  if (scope.kind !== "extension") return byIdOrName;
  const pseudonymous = scope.pseudonyms.userIdOf(actor);
  if (pseudonymous) return and(eq(auditEvents.actorKind, "user"), eq(auditEvents.actorId, pseudonymous));
  const member = sql`exists (select 1 from ${publisherMembers} where ${publisherMembers.publisherId} = ${scope.pseudonyms.publisherId} and ${publisherMembers.userId}::text = ${auditEvents.actorId})`;
  return or(
    and(ne(auditEvents.actorKind, "user"), eq(auditEvents.actorId, actor)),
    and(eq(auditEvents.actorKind, "user"), member, byIdOrName),
  );
}

function filterWhere(scope: AuditScope, filters: AuditFilters): SQL[] {
  const where: SQL[] = [];
  if (filters.actor) {
    const match = actorWhere(scope, filters.actor);
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
      event: getViewSelectedFields(auditEvents),
      leafIndex: auditLeaves.leafIndex,
      leafHash: auditLeaves.leafHash,
      userName: users.name,
      extensionName: extensions.name,
      orgName: organizations.name,
    })
    .from(auditEvents)
    .leftJoin(auditLeaves, eq(auditLeaves.eventId, auditEvents.id))
    .leftJoin(users, and(eq(auditEvents.actorKind, "user"), eq(sql`${users.id}::text`, auditEvents.actorId)))
    .leftJoin(extensions, eq(extensions.id, auditEvents.extensionId))
    .leftJoin(organizations, eq(organizations.id, auditEvents.orgId))
    .where(and(scopeWhere(scope, db), ...filterWhere(scope, filters), cursor === undefined ? undefined : lt(auditEvents.id, cursor)))
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
    leaf_hash: r.leafHash ? r.leafHash.toString("hex") : null,
    withheld: [],
    proof,
    anchors,
  };
}

/** What a publisher's projection needs to know about one page: who of its people and extensions appear. */
interface PublisherView {
  pseudonyms: PublisherPseudonyms;
  /** Ids of the page's users who are members of the publisher. */
  members: Set<string>;
  /** Ids of the page's acting extensions that belong to the publisher. */
  extensions: Set<string>;
}

// Details keys holding a user id (`owner` only when the secret is a user's), a cross-publisher link to
// a person (an OAuth connection is shared by every consumer extension), or personal data.
const USER_ID_KEYS = ["user", "user_id"] as const;
const LINK_KEYS = ["connection"] as const;
const PERSONAL_KEYS = ["account", "email", "ip", "client_ip", "address", "user_agent"] as const;

const userIdsIn = (details: Record<string, unknown>): unknown[] => [
  ...USER_ID_KEYS.map((k) => details[k]),
  details.scope === "user" || details.owner_kind === "user" ? details.owner : undefined,
];

async function publisherView(db: DbOrTx, scope: AuditScope, rows: PageRow[]): Promise<PublisherView | null> {
  if (scope.kind !== "extension") return null;
  const people = new Set<string>();
  const acting = new Set<string>();
  for (const { event } of rows) {
    if (event.actorKind === "user") people.add(event.actorId);
    if (event.actorKind === "extension") acting.add(event.actorId);
    for (const id of userIdsIn(event.details)) if (typeof id === "string") people.add(id);
  }
  const userIds = [...people].filter(isUuid);
  const extensionIds = [...acting].filter(isUuid);
  const publisherId = scope.pseudonyms.publisherId;
  const [members, own] = await Promise.all([
    userIds.length
      ? db
          .select({ id: publisherMembers.userId })
          .from(publisherMembers)
          .where(and(eq(publisherMembers.publisherId, publisherId), inArray(publisherMembers.userId, userIds)))
      : [],
    extensionIds.length
      ? db
          .select({ id: extensions.id })
          .from(extensions)
          .where(and(eq(extensions.publisherId, publisherId), inArray(extensions.id, extensionIds)))
      : [],
  ]);
  return { pseudonyms: scope.pseudonyms, members: new Set(members.map((m) => m.id)), extensions: new Set(own.map((x) => x.id)) };
}

/** The row as the publisher may see it; see the module comment for the rules. */
function project(row: AuditRow, view: PublisherView): AuditRow {
  const withheld: string[] = [];
  const { pseudonyms, members } = view;
  const isUser = row.actor.kind === "user";
  const owned = isUser ? members.has(row.actor.id) : row.actor.kind === "extension" && view.extensions.has(row.actor.id);
  let actor = row.actor;
  if (isUser && !owned) {
    actor = { kind: row.actor.kind, id: pseudonyms.user(row.actor.id), name: null };
    withheld.push("actor");
  }
  const source = { ...row.source };
  if (!owned) {
    if (source.ip !== null) withheld.push("source.ip");
    if (source.user_agent !== null) withheld.push("source.user_agent");
    source.ip = null;
    source.user_agent = null;
  }
  const details = { ...row.details };
  const userKeys: string[] = [...USER_ID_KEYS];
  if (details.scope === "user" || details.owner_kind === "user") userKeys.push("owner");
  for (const key of userKeys) {
    const id = details[key];
    if (typeof id === "string" && !members.has(id)) {
      details[key] = pseudonyms.user(id);
      withheld.push(`details.${key}`);
    }
  }
  for (const key of LINK_KEYS) {
    const id = details[key];
    if (typeof id === "string") {
      details[key] = pseudonyms.reference(key, id);
      withheld.push(`details.${key}`);
    }
  }
  if (!owned) {
    for (const key of PERSONAL_KEYS) {
      if (details[key] !== undefined && details[key] !== null) {
        details[key] = null;
        withheld.push(`details.${key}`);
      }
    }
  }
  if (withheld.length === 0) return row;
  return { ...row, actor, source, details, entry: null, withheld };
}

async function viewRows(db: DbOrTx, scope: AuditScope, rows: PageRow[], toRowOf: (r: PageRow) => AuditRow): Promise<AuditRow[]> {
  const view = await publisherView(db, scope, rows);
  return rows.map((r) => (view ? project(toRowOf(r), view) : toRowOf(r)));
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
    rows: await viewRows(db, scope, shown, (r) => {
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
    yield await viewRows(db, scope, rows, (r) => toRow(r, null, []));
    if (rows.length < pageSize) return;
    cursor = rows.at(-1)?.event.id;
  }
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
