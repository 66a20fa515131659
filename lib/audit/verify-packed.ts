// Leaves and their events read from PostgreSQL as packed pages, for a verification of the whole log:
// per page one row of packed leaf bytes and one text of the page's log entries, instead of a DataRow of
// thirteen columns per event that the server writes and the driver decodes (together they cost more than
// hashing the event does). The server writes each entry's text around its details, which the json
// column holds as the canonical text the log hashed (insertEventRows), so most events are hashed as read;
// an event whose text does not hash to its leaf is read again as columns and canonicalized in full.
import { isoStringOfTime, leafDigestOfText, type Canonicalize, type EntryEvent } from "./entry";
import type { Digest } from "./merkle";
import { leafEventOf, UNHASHABLE, type LeafEvent, type LeafRow } from "./verify-leaf-row";

/** postgres.js's client, as drizzle holds it: only its raw query with rows as arrays is used. */
export interface PostgresClient {
  unsafe(query: string, params?: unknown[]): { values(): Promise<unknown[][]> };
}

/** The postgres.js client under a drizzle database, or null on PGlite. */
export function postgresClient(db: unknown): PostgresClient | null {
  const client = (db as { $client?: unknown }).$client;
  return typeof client === "function" && typeof (client as { unsafe?: unknown }).unsafe === "function"
    ? (client as unknown as PostgresClient)
    : null;
}

/** A page of leaves, and how many of its events were canonicalized in full. */
export interface PackedPage {
  leaves: LeafRow[];
  recanonicalized: number;
}

/**
 * Leaves [from, to): their indices, event ids and stored hashes as three packed byte strings (big-endian
 * int8s, 32-byte hashes) put in leaf order, then their events' entries (see entriesByText), each hashed
 * and compared with its leaf; the events that differ, or the whole page when its text cannot be read
 * exactly, are read as columns and canonicalized in full (eventsByRows), which settles what they hash to.
 */
export async function queryPackedPage(client: PostgresClient, canonical: Canonicalize, from: number, to: number): Promise<PackedPage> {
  const [packed] = (await client
    .unsafe(
      `select count(*)::int4, string_agg(int8send(leaf_index), ''::bytea), string_agg(int8send(event_id), ''::bytea),
        string_agg(leaf_hash, ''::bytea)
      from audit_leaves where leaf_index >= $1 and leaf_index < $2`,
      [from, to],
    )
    .values()) as [[number, Buffer | null, Buffer | null, Buffer | null]];
  const [count, indexes, eventIds, hashes] = packed;
  if (count === 0 || !indexes || !eventIds || !hashes) return { leaves: [], recanonicalized: 0 };
  // The three aggregates read the same rows in the same order, which is the index's in practice but is
  // not promised without an ORDER BY (which would cost the server a sort each): put them in leaf order here.
  const order = Array.from({ length: count }, (_, i) => i);
  const indexAt = (i: number) => int8At(indexes, i);
  if (!order.every((i) => i === 0 || indexAt(i - 1) < indexAt(i))) order.sort((a, b) => indexAt(a) - indexAt(b));
  const ids = order.map((i) => int8At(eventIds, i));
  const stored = hashes.toString("latin1");
  const leafHashes = order.map((i) => stored.slice(i * 32, i * 32 + 32));

  const where = whereIds(ids);
  const fast = await entriesByText(client, where);
  let events: Map<number, LeafEvent>;
  let recanonicalized: number;
  if (fast) {
    // Only the events whose text does not hash to their leaf are read again and canonicalized in full.
    const differing = ids.filter((id, n) => fast.has(id) && fast.get(id)?.digest !== leafHashes[n]);
    const again = differing.length > 0 ? await eventsByRows(client, canonical, { sql: `id = any($1::int8[])`, params: [differing] }) : null;
    for (const [id, event] of again ?? []) fast.set(id, event);
    events = fast;
    recanonicalized = again?.size ?? 0;
  } else {
    events = await eventsByRows(client, canonical, where);
    recanonicalized = events.size;
  }
  const leaves = order.map((i, n) => ({
    leafIndex: indexAt(i),
    eventId: ids[n] as number,
    leafHash: leafHashes[n] as Digest,
    event: events.get(ids[n] as number) ?? null,
  }));
  return { leaves, recanonicalized };
}

/** The n-th big-endian int8 of a packed array (leaf indices and event ids stay below 2^53). */
const int8At = (packed: Buffer, n: number) => packed.readInt32BE(n * 8) * 2 ** 32 + packed.readUInt32BE(n * 8 + 4);

interface Where {
  sql: string;
  params: unknown[];
}

/** The events with these ids: by id range when they lie close together (the usual case), else by list. */
function whereIds(ids: number[]): Where {
  let low = Infinity;
  let high = -Infinity;
  for (const id of ids) {
    if (id < low) low = id;
    if (id > high) high = id;
  }
  return high - low < ids.length * 2
    ? { sql: `id >= $1 and id <= $2`, params: [low, high] }
    : { sql: `id = any($1::int8[])`, params: [ids] };
}

const FIELD = "\u001f";
const RECORD = "\u001e";

/**
 * A log entry's text (entry.ts's entryText) as the server writes it, in three parts around the details
 * and the time, which are added here. Each part is literal text or a column: a string column is written
 * between quotes as it is (nullable ones as null), so it is exact only if no value holds a quote or a
 * backslash (see entriesByText). Must say what entryText says: verify-packed.db.test.ts checks that
 * events of every shape are hashed from this text, not canonicalized again.
 */
const ENTRY_PARTS: (string | { column: string; nullable?: true })[][] = [
  [
    '{"action":"',
    { column: "action" },
    '","actor":{"id":"',
    { column: "actor_id" },
    '","kind":"',
    { column: "actor_kind" },
    '"},"details":',
  ],
  [',"extension_id":', { column: "extension_id::text", nullable: true }, ',"id":', { column: "id" }, ',"occurred_at":"'],
  [
    '","org_id":',
    { column: "org_id::text", nullable: true },
    ',"outcome":"',
    { column: "outcome" },
    '","source":{"ip":',
    { column: "source_ip", nullable: true },
    ',"kind":"',
    { column: "source_kind" },
    '","user_agent":',
    { column: "source_user_agent", nullable: true },
    '},"target":"',
    { column: "target" },
    '","v":1}',
  ],
];
const sqlLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;
const PARTS_SQL = ENTRY_PARTS.map((part) =>
  part
    .map((piece) =>
      typeof piece === "string" ? sqlLiteral(piece) : piece.nullable ? `coalesce('"' || ${piece.column} || '"', 'null')` : piece.column,
    )
    .join(", "),
);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A value written as it is: no quote, no backslash, no field separator. */
const PLAIN = '[^"\\\\\\u001f]*';
/**
 * One record of the page's text (see entriesByText), each value PLAIN: a text that is a run of these,
 * separated by U+001F, splits exactly and holds no value that needs an escape.
 */
const RECORD_SOURCE = [
  "-?\\d+", // id
  "(?:-?\\d+)?", // time, empty when infinite
  ...ENTRY_PARTS.map((part) =>
    part.map((piece) => (typeof piece === "string" ? escapeRegExp(piece) : piece.nullable ? `(?:null|"${PLAIN}")` : PLAIN)).join(""),
  ),
].join("\\u001f");
const PAGE_TEXT = new RegExp(`^(?:${RECORD_SOURCE}\\u001f)*${RECORD_SOURCE}$`);
/** Fields of an event in the text: id, time in epoch microseconds, then the three parts. */
const FIELDS = 5;

/**
 * Each event's entry as text, hashed: the page's events as records of five fields joined by U+001F (id,
 * time, the three parts), and their details, in the same order, joined by U+001E. The text is exact
 * only if it splits exactly and no value in it holds a quote or a backslash, and one match of PAGE_TEXT
 * over the whole page checks both: a separator inside a value adds a field, and a value written between
 * quotes must not hold a quote or a backslash. A control character or non-canonical details need no
 * check: they make the text differ from the canonical one, so the event is canonicalized in full
 * (json text cannot hold a raw control character, so the details split exactly). Undefined when the
 * text is not exact.
 */
async function entriesByText(client: PostgresClient, where: Where): Promise<Map<number, LeafEvent> | undefined> {
  const [[count, text, detailsText]] = (await client
    .unsafe(
      `select count(*)::int4, string_agg(concat(id, E'\\x1f', ${TIME_US}, E'\\x1f', ${PARTS_SQL.join(", E'\\x1f', ")}), E'\\x1f'),
        string_agg(details::text, E'\\x1e')
      from audit_events where ${where.sql}`,
      where.params,
    )
    .values()) as [[number, string | null, string | null]];
  const events = new Map<number, LeafEvent>();
  if (count === 0 || text === null || detailsText === null) return events;
  const f = text.split(FIELD);
  const details = detailsText.split(RECORD);
  if (f.length !== count * FIELDS || details.length !== count || !PAGE_TEXT.test(text)) return undefined;
  for (let r = 0, at = 0; r < count; r++, at += FIELDS) {
    const id = Number(f[at]);
    const occurredAtMs = millisOf(f[at + 1]);
    const digest = Number.isFinite(occurredAtMs)
      ? leafDigestOfText(`${f[at + 2]}${details[r]}${f[at + 3]}${isoStringOfTime(occurredAtMs)}${f[at + 4]}`)
      : UNHASHABLE;
    events.set(id, { id, occurredAtMs, digest });
  }
  return events;
}

/**
 * occurred_at in epoch microseconds, or nothing when it is infinite (exact: an integer below 2^53 until
 * the year 2255, and cheaper for the server than milliseconds, which need a numeric floor).
 */
const TIME_US = `case when isfinite(occurred_at) then (extract(epoch from occurred_at) * 1000000)::int8 end`;

/**
 * TIME_US as whole epoch milliseconds, the sub-millisecond digits dropped (floored, as the driver's parse
 * of the time drops them, so the event is the one the sequencer hashed); NaN for an infinite time.
 */
const millisOf = (micros: string | null | undefined) =>
  micros === null || micros === undefined || micros === "" ? Number.NaN : Math.floor(Number(micros) / 1000);

/**
 * Events as plain rows with rows as arrays, canonicalized in full (for a page whose text is not exact, and
 * for events whose text does not hash to their leaf). The time comes as epoch microseconds (millisOf), so
 * no date text is parsed.
 */
async function eventsByRows(client: PostgresClient, canonical: Canonicalize, where: Where): Promise<Map<number, LeafEvent>> {
  const rows = (await client
    .unsafe(
      `select id, ${TIME_US}, actor_kind, actor_id, action, target, extension_id, org_id,
        source_kind, source_ip, source_user_agent, outcome, details::text
      from audit_events where ${where.sql}`,
      where.params,
    )
    .values()) as (string | null)[][];
  const events = new Map<number, LeafEvent>();
  for (const r of rows) {
    const id = Number(r[0]);
    const event: EntryEvent = {
      id,
      occurredAt: new Date(millisOf(r[1])),
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
    };
    events.set(id, leafEventOf(canonical, event));
  }
  return events;
}
