// Reading the audit log's leaves with their events, in pages, for a verification: json_agg pages (PGlite,
// and PostgreSQL on request) or plain rows through postgres.js.
import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { type EntryEvent } from "./entry";
import { eventFromJson, eventJsonArray, type EventJson } from "./event-json";
import { type Digest } from "./merkle";
import { rowsOf } from "./tree-store";

const PAGES_IN_FLIGHT = 3;

export interface LeafRow {
  leafIndex: number;
  eventId: number;
  /** The stored leaf hash. */
  leafHash: Digest;
  /** Null when the event row is gone. */
  event: EntryEvent | null;
}

/**
 * The log's leaves below `total`, in leaf order, in pages of leaf indices with a few pages in flight, so
 * the database produces the next ones while this one is hashed.
 */
export async function* leafPages(db: Db, postgres: PostgresClient | null, total: number, pageSize: number): AsyncGenerator<LeafRow[]> {
  const pages = Math.ceil(total / pageSize);
  const fetchPage = (p: number) => {
    const [from, to] = [p * pageSize, Math.min(total, (p + 1) * pageSize)];
    const fetching = postgres ? queryLeafPage(postgres, from, to) : fetchLeafPage(db, from, to);
    fetching.catch(() => {}); // rethrown where it is awaited; this only keeps an early failure from going unhandled
    return fetching;
  };
  const inFlight = Array.from({ length: Math.min(PAGES_IN_FLIGHT, pages) }, (_, p) => fetchPage(p));
  for (let p = 0; p < pages; p++) {
    const page = await (inFlight.shift() as Promise<LeafRow[]>);
    if (p + PAGES_IN_FLIGHT < pages) inFlight.push(fetchPage(p + PAGES_IN_FLIGHT));
    yield page;
  }
}

/**
 * Leaves [from, to) on PGlite: the server writes the page as one JSON array text, parsed with one
 * JSON.parse (decoding fifteen columns a row through the driver costs several times what hashing the
 * row does). Each value is what the driver would hand drizzle, so the event is the one the sequencer hashed.
 */
async function fetchLeafPage(db: Db, from: number, to: number): Promise<LeafRow[]> {
  const result = await db.execute(sql`
    select coalesce(json_agg(json_build_array(
      l.leaf_index, l.event_id, encode(l.leaf_hash, 'hex'), case when e.id is null then null else ${eventJsonArray} end
    ) order by l.leaf_index), '[]')::text as page
    from audit_leaves l left join audit_events e on e.id = l.event_id
    where l.leaf_index >= ${from} and l.leaf_index < ${to}`);
  const [row] = rowsOf<{ page: string }>(result);
  const items = JSON.parse(row?.page ?? "[]") as [leafIndex: number, eventId: number, leafHashHex: string, event: EventJson | null][];
  return items.map(([leafIndex, eventId, leafHash, event]) => ({
    leafIndex,
    eventId,
    leafHash: Buffer.from(leafHash, "hex").toString("latin1"),
    event: event === null ? null : eventFromJson(event),
  }));
}

/** postgres.js's client, as drizzle holds it: only its raw query with rows as arrays is used. */
interface PostgresClient {
  unsafe(query: string, params?: unknown[]): { values(): Promise<unknown[][]> };
}

export function postgresClient(db: Db): PostgresClient | null {
  const client = (db as unknown as { $client?: unknown }).$client;
  return typeof client === "function" && typeof (client as { unsafe?: unknown }).unsafe === "function"
    ? (client as unknown as PostgresClient)
    : null;
}

/**
 * Leaves [from, to) on PostgreSQL, in two plain queries with rows as arrays: the leaves, then their
 * events by id range (leaves are sequenced in id order, so a page's events are one index range). No
 * join and no JSON built per row: those cost the server more than the hashing costs here. The time
 * comes as whole epoch milliseconds (what a Date holds of it; the sub-millisecond digits dropped as the
 * driver's parse drops them), so no date text is parsed. (COPY would be cheaper still, but postgres.js
 * can leave a connection stuck after a COPY stream: porsager/postgres#499.)
 */
async function queryLeafPage(client: PostgresClient, from: number, to: number): Promise<LeafRow[]> {
  const leaves = (await client
    .unsafe(
      `select leaf_index, event_id, encode(leaf_hash, 'hex') from audit_leaves where leaf_index >= $1 and leaf_index < $2 order by leaf_index`,
      [from, to],
    )
    .values()) as [string, string, string][];
  if (leaves.length === 0) return [];
  let low = Infinity;
  let high = -Infinity;
  for (const [, eventId] of leaves) {
    const id = Number(eventId);
    if (id < low) low = id;
    if (id > high) high = id;
  }
  const rows = (await client
    .unsafe(
      `select id, floor(extract(epoch from occurred_at) * 1000)::int8, actor_kind, actor_id, action, target, extension_id, org_id,
        source_kind, source_ip, source_user_agent, outcome, details::text
      from audit_events where id >= $1 and id <= $2`,
      [low, high],
    )
    .values()) as (string | null)[][];
  const events = new Map<number, EntryEvent>();
  for (const r of rows) {
    const id = Number(r[0]);
    events.set(id, {
      id,
      occurredAt: new Date(Number(r[1])),
      actorKind: r[2] as EntryEvent["actorKind"],
      actorId: r[3] as string,
      action: r[4] as string,
      target: r[5] as string,
      extensionId: r[6] ?? null,
      orgId: r[7] ?? null,
      sourceKind: r[8] as EntryEvent["sourceKind"],
      sourceIp: r[9] ?? null,
      sourceUserAgent: r[10] ?? null,
      outcome: r[11] as EntryEvent["outcome"],
      details: JSON.parse(r[12] ?? "{}") as Record<string, unknown>,
    });
  }
  return leaves.map(([leafIndex, eventId, hash]) => ({
    leafIndex: Number(leafIndex),
    eventId: Number(eventId),
    leafHash: Buffer.from(hash, "hex").toString("latin1"),
    event: events.get(Number(eventId)) ?? null,
  }));
}
