// Reading the audit log's leaves with their events, in pages, for a verification, each event's leaf hash
// recomputed on the way: json_agg pages (PGlite, and PostgreSQL on request), or on PostgreSQL packed pages
// (verify-packed.ts) that cost the server and the driver a fraction of one row per event.
import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import type { Canonicalize } from "./entry";
import { eventFromJson } from "./event-json";
import { rowsOf } from "./tree-store";
import { leafEventOf, type LeafRow } from "./verify-leaf-row";
import { EntryDictionaries } from "./verify-dictionaries";
import { queryPackedPage, type PackedPage, type PostgresClient } from "./verify-packed";

const PAGES_IN_FLIGHT = 3;

/**
 * The log's leaves below `total`, in leaf order, in pages of leaf indices with a few pages in flight, so
 * the database produces the next ones while this one is checked.
 */
export async function* leafPages(
  db: Db,
  postgres: PostgresClient | null,
  canonical: Canonicalize,
  total: number,
  pageSize: number,
): AsyncGenerator<PackedPage> {
  const pages = Math.ceil(total / pageSize);
  const dictionaries = new EntryDictionaries(db);
  const fetchPage = (p: number) => {
    const [from, to] = [p * pageSize, Math.min(total, (p + 1) * pageSize)];
    const fetching = postgres
      ? queryPackedPage(postgres, dictionaries, canonical, from, to)
      : fetchLeafPage(db, dictionaries, canonical, from, to);
    fetching.catch(() => {}); // rethrown where it is awaited; this only keeps an early failure from going unhandled
    return fetching;
  };
  const inFlight = Array.from({ length: Math.min(PAGES_IN_FLIGHT, pages) }, (_, p) => fetchPage(p));
  for (let p = 0; p < pages; p++) {
    const page = await (inFlight.shift() as Promise<PackedPage>);
    if (p + PAGES_IN_FLIGHT < pages) inFlight.push(fetchPage(p + PAGES_IN_FLIGHT));
    yield page;
  }
}

/**
 * Leaves [from, to) on PGlite: the server writes the page as one JSON array text, parsed with one
 * JSON.parse (decoding fifteen columns a row through the driver costs several times what hashing the
 * row does), each event as its row of audit_event_rows with the values of its two dictionary rows
 * (`dictionaries`, read once per run). Each value is what the driver would hand drizzle, so the event is
 * the one the sequencer hashed; an event whose dictionary row is gone has no event, as in audit_events.
 */
async function fetchLeafPage(
  db: Db,
  dictionaries: EntryDictionaries,
  canonical: Canonicalize,
  from: number,
  to: number,
): Promise<PackedPage> {
  const result = await db.execute(sql`
    select coalesce(json_agg(json_build_array(
      l.leaf_index, l.event_id, encode(l.leaf_hash, 'hex'),
      case when r.id is null then null else json_build_array(r.id, r.occurred_at::text, r.context_id, r.subject_id, r.outcome, r.details) end
    ) order by l.leaf_index), '[]')::text as page
    from audit_leaves l left join audit_event_rows r on r.id = l.event_id
    where l.leaf_index >= ${from} and l.leaf_index < ${to}`);
  const [row] = rowsOf<{ page: string }>(result);
  type Item = [leafIndex: number, eventId: number, leafHashHex: string, event: EventRowJson | null];
  const items = JSON.parse(row?.page ?? "[]") as Item[];
  const events = items.flatMap(([, , , event]) => (event ? [event] : []));
  await dictionaries.load(
    events.map((e) => e[2]),
    events.map((e) => e[3]),
  );
  const leaves: LeafRow[] = items.map(([leafIndex, eventId, leafHash, event]) => ({
    leafIndex,
    eventId,
    leafHash: Buffer.from(leafHash, "hex").toString("latin1"),
    event: event === null ? null : eventOfRow(dictionaries, canonical, event),
  }));
  return { leaves, recanonicalized: leaves.length };
}

/** A row of audit_event_rows as fetchLeafPage writes it. */
type EventRowJson = [id: number, occurredAt: string, contextId: number, subjectId: number, outcome: string, details: unknown];

function eventOfRow(
  dictionaries: EntryDictionaries,
  canonical: Canonicalize,
  [id, occurredAt, contextId, subjectId, outcome, details]: EventRowJson,
) {
  const c = dictionaries.contexts.get(contextId);
  const s = dictionaries.subjects.get(subjectId);
  if (!c || !s) return null;
  return leafEventOf(
    canonical,
    eventFromJson([
      id,
      occurredAt,
      c.actorKind,
      c.actorId,
      s.action,
      s.target,
      s.extensionId,
      c.orgId,
      c.sourceKind,
      c.sourceIp,
      c.sourceUserAgent,
      outcome,
      details,
    ]),
  );
}

export { postgresClient } from "./verify-packed";
