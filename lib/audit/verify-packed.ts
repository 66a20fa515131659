// Leaves and their events read from PostgreSQL as packed pages, for a verification of the whole log:
// per page one row of packed leaf bytes and one row of the page's event rows as packed columns, instead
// of a DataRow of thirteen columns per event that the server writes and the driver decodes (together they
// cost more than hashing the event does). The events' repeated values are read once per verification
// from their two dictionaries (migration 0011), and each entry is written around its details, which the
// json column holds as the canonical text the log hashed (insertEventRows), so most events are hashed as
// read; an event whose text does not hash to its leaf is read again as columns and canonicalized in full.
import { isoStringOfTime, leafDigestOfText, type Canonicalize, type EntryEvent } from "./entry";
import type { Digest } from "./merkle";
import { EntryDictionaries, entryTextOf, NEEDS_ESCAPE } from "./verify-dictionaries";
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
 * int8s, 32-byte hashes) put in leaf order, then their events' entries (see entriesFromRows), each hashed
 * and compared with its leaf; the events that differ or need an escape, or the whole page when it cannot
 * be read exactly, are read as columns and canonicalized in full (eventsByRows), which settles what they
 * hash to. `dictionaries` is the verification's (one per run).
 */
export async function queryPackedPage(
  client: PostgresClient,
  dictionaries: EntryDictionaries,
  canonical: Canonicalize,
  from: number,
  to: number,
): Promise<PackedPage> {
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
  const fast = await entriesFromRows(client, dictionaries, where);
  let events: Map<number, LeafEvent>;
  let recanonicalized: number;
  if (fast) {
    // Canonicalized in full: events whose values need an escape, and those whose text does not hash to their leaf.
    const again = [...fast.full, ...ids.filter((id, n) => fast.events.has(id) && fast.events.get(id)?.digest !== leafHashes[n])];
    const read = again.length > 0 ? await eventsByRows(client, canonical, { sql: `id = any($1::int8[])`, params: [again] }) : null;
    for (const [id, event] of read ?? []) fast.events.set(id, event);
    events = fast.events;
    recanonicalized = read?.size ?? 0;
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

const RECORD = "\u001e";

/**
 * occurred_at in epoch microseconds (exact below 2^53 until the year 2255), this for an infinite time
 * (its high 32 bits INFINITE_HIGH, its low ones 0).
 */
const INFINITE_TIME = -(2n ** 63n);
const INFINITE_HIGH = -(2 ** 31);
const TIME_US = `case when isfinite(occurred_at) then (extract(epoch from occurred_at) * 1000000)::int8 end`;

/**
 * TIME_US as whole epoch milliseconds, the sub-millisecond digits dropped (floored, as the driver's parse
 * of the time drops them, so the event is the one the sequencer hashed); NaN for an infinite time.
 */
const millisOf = (micros: string | null | undefined) =>
  micros === null || micros === undefined || micros === "" ? Number.NaN : Math.floor(Number(micros) / 1000);

/**
 * Each event's entry, hashed: the page's rows (audit_event_rows) as packed columns, the id, time and the
 * two dictionary ids as big-endian integers and the outcomes and details as texts joined by U+001E, and
 * each entry written by entryText from them and the dictionaries' values. Events whose values need an
 * escape come back in `full`, to be canonicalized in full; undefined when the page does not split
 * exactly (an outcome holding U+001E: details, being json, cannot hold a control character).
 */
async function entriesFromRows(
  client: PostgresClient,
  dictionaries: EntryDictionaries,
  where: Where,
): Promise<{ events: Map<number, LeafEvent>; full: number[] } | undefined> {
  const [[count, ids, times, contextIds, subjectIds, outcomeText, detailsText]] = (await client
    .unsafe(
      `select count(*)::int4, string_agg(int8send(id), ''::bytea), string_agg(int8send(coalesce(${TIME_US}, ${INFINITE_TIME})), ''::bytea),
        string_agg(int4send(context_id), ''::bytea), string_agg(int4send(subject_id), ''::bytea),
        string_agg(outcome, E'\\x1e'), string_agg(details::text, E'\\x1e')
      from audit_event_rows where ${where.sql}`,
      where.params,
    )
    .values()) as [[number, Buffer | null, Buffer | null, Buffer | null, Buffer | null, string | null, string | null]];
  const events = new Map<number, LeafEvent>();
  const full: number[] = [];
  if (count === 0 || !ids || !times || !contextIds || !subjectIds || outcomeText === null || detailsText === null) return { events, full };
  const outcomes = outcomeText.split(RECORD);
  const details = detailsText.split(RECORD);
  if (outcomes.length !== count || details.length !== count) return undefined;
  const contextOf = (r: number) => contextIds.readInt32BE(r * 4);
  const subjectOf = (r: number) => subjectIds.readInt32BE(r * 4);
  await dictionaries.load(
    Array.from({ length: count }, (_, r) => contextOf(r)),
    Array.from({ length: count }, (_, r) => subjectOf(r)),
  );
  for (let r = 0; r < count; r++) {
    const id = int8At(ids, r);
    const context = dictionaries.contexts.get(contextOf(r));
    const subject = dictionaries.subjects.get(subjectOf(r));
    const outcome = outcomes[r] as string;
    if (context === undefined || subject === undefined) continue; // no such row: not an event of audit_events
    if (!context.text || !subject.text || (outcome !== "success" && NEEDS_ESCAPE.test(outcome))) {
      full.push(id);
      continue;
    }
    const high = times.readInt32BE(r * 8);
    const low = times.readUInt32BE(r * 8 + 4);
    const occurredAtMs = high === INFINITE_HIGH && low === 0 ? Number.NaN : Math.floor((high * 2 ** 32 + low) / 1000);
    const digest = Number.isFinite(occurredAtMs)
      ? leafDigestOfText(entryTextOf(subject.text, context.text, details[r] as string, id, isoStringOfTime(occurredAtMs), outcome))
      : UNHASHABLE;
    events.set(id, { id, occurredAtMs, digest });
  }
  return { events, full };
}

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
