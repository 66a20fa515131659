// Verifies the whole audit log from the database, trusting nothing stored except what the checkpoint
// key signed and what the external anchors hold: every leaf hash is recomputed from its event, the tree
// is rebuilt, each checkpoint's signature and root are checked against it, and the tree is compared
// with every checkpoint read back from the anchors themselves (chain, witness, file), so a database
// rewritten wholesale, cut short or wiped still fails. Problems name the first bad leaf index and what is
// wrong:
//   altered            an event no longer hashes to what was logged (or signed) at its leaf
//   missing            a leaf or its event is gone from the middle of the log
//   reordered          an event sits at another leaf than the one it was logged (signed) at
//   inserted           an event that was not in the log when later events were signed (back-dated,
//                      spliced in, or never sequenced)
//   truncated          the log ends before a signed or anchored checkpoint does (tail cut, full wipe)
//   rolled back        the log has the anchored size but not the anchored root: its history was
//                      replaced (restored from an old backup and continued, or rewritten and re-signed)
//   forged checkpoint  a checkpoint in the database is not signed by the log's key (or says other than
//                      its row)
//   anchor mismatch    an anchor is not what the log signed, or the database claims an anchor the sink
//                      does not hold
import { and, asc, desc, eq, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { auditAnchors, auditCheckpoints, auditEvents, auditLeaves, type AuditCheckpointRow } from "@/lib/db/schema";
import { FileAnchorReader, type AnchorReader, type AnchoredCheckpoint } from "./anchors";
import { canonicalizer, entryLeafDigest, type EntryEvent } from "./entry";
import { eventFromJson, eventJsonArray, type EventJson } from "./event-json";
import { Frontier, fromDigest, nodeDigest, splitPoint, toDigest, type Digest } from "./merkle";
import { parseCheckpoint, verifyNote } from "./note";
import { rowsOf } from "./tree-store";

export const problemKinds = [
  "altered",
  "missing",
  "reordered",
  "inserted",
  "truncated",
  "rolled back",
  "forged checkpoint",
  "anchor mismatch",
] as const;
export type ProblemKind = (typeof problemKinds)[number];

export interface Problem {
  kind: ProblemKind;
  /** The first leaf index affected; null when no leaf can be named (e.g. an anchor record that is not one). */
  leafIndex: number | null;
  message: string;
}

export interface VerifyOptions {
  /** The checkpoint key (raw Ed25519); null when the log has none (an empty or wiped database). */
  publicKey: Buffer | null;
  /** The log's origin: the one stored when it was created (log-origin.ts), the name checkpoints are signed under. */
  origin: string;
  /** Readers of the external anchors, each read back from the anchor itself. */
  anchors?: AnchorReader[];
  /** Shorthand for a FileAnchorReader of this file. */
  anchorFile?: string;
  /** An event dated more than this before the checkpoint preceding its leaf (or the latest one, if unsequenced) is "inserted". */
  lateCommitMs?: number;
  /** Leaves read per query (default 10,000); a few pages are fetched ahead while one is hashed. */
  pageSize?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * How leaves are read on PostgreSQL: "rows" (default) reads leaves and events as plain rows; "json"
   * reads json_agg pages as on PGlite. Only bench:audit sets it, to print both on the same machine.
   */
  postgresRead?: "rows" | "json";
}

/** What one external anchor held, for the report. */
export interface AnchorSummary {
  sink: string;
  describe: string;
  /** Checkpoints of this log it holds. */
  checkpoints: number;
  /** The largest tree size among them, null when none. */
  largest: number | null;
}

export interface VerifyReport {
  ok: boolean;
  treeSize: number;
  checkpoints: number;
  /** Anchors the database records as confirmed. */
  anchors: number;
  /** What each external anchor held. */
  anchored: AnchorSummary[];
  problems: Problem[];
  first: Problem | null;
  /** Anchors that could not be read (an RPC or witness down): verification is then incomplete, not failed. */
  unchecked: string[];
  seconds: number;
}

const MAX_PROBLEMS = 50;
const PAGES_IN_FLIGHT = 3;

/** Flat storage of recomputed leaf hashes (32 bytes each), so a million leaves cost 32 MB, not a million Buffers. */
class HashList {
  #buf = Buffer.alloc(32 * 1024);
  length = 0;
  push(digest: Digest) {
    if ((this.length + 1) * 32 > this.#buf.length) {
      const bigger = Buffer.alloc(this.#buf.length * 2);
      this.#buf.copy(bigger);
      this.#buf = bigger;
    }
    this.#buf.write(digest, this.length * 32, 32, "latin1");
    this.length++;
  }
  get(i: number): Digest {
    return this.#buf.toString("latin1", i * 32, i * 32 + 32);
  }
}

export async function verifyLog(db: Db, options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const canonical = await canonicalizer();
  const postgres = options.postgresRead === "json" ? null : postgresClient(db);
  const pageSize = options.pageSize ?? 10_000;
  const lateCommitMs = options.lateCommitMs ?? 300_000;
  const problems: Problem[] = [];
  const report = (p: Problem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };

  const checkpoints = await db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.treeSize));
  const [last] = await db.select({ i: auditLeaves.leafIndex }).from(auditLeaves).orderBy(desc(auditLeaves.leafIndex)).limit(1);
  const total = last ? last.i + 1 : 0;
  /** The first leaf a checkpoint of this size added: the previous stored checkpoint's size. */
  const firstLeafOf = (size: number) => {
    let first = 0;
    for (const c of checkpoints) if (c.treeSize < size) first = c.treeSize;
    return first;
  };

  // Signatures first: a checkpoint whose signature fails proves nothing about the leaves it names.
  const trusted: AuditCheckpointRow[] = [];
  let previousSize = 0;
  for (const checkpoint of checkpoints) {
    const opened = options.publicKey
      ? verifyNote(checkpoint.note, options.origin, options.publicKey)
      : ({
          ok: false,
          reason: "the log's checkpoint key is not in the database, so no checkpoint can be checked (give the published key)",
        } as const);
    const body = opened.ok ? parseCheckpoint(opened.text) : null;
    if (
      !opened.ok ||
      !body ||
      body.origin !== options.origin ||
      body.treeSize !== checkpoint.treeSize ||
      !body.rootHash.equals(checkpoint.rootHash)
    ) {
      report({
        kind: "forged checkpoint",
        leafIndex: previousSize,
        message: `the checkpoint of tree size ${checkpoint.treeSize} is not one the log signed: ${opened.ok ? "its signed note says another size, root or origin than its row" : opened.reason}`,
      });
    } else {
      trusted.push(checkpoint);
    }
    previousSize = checkpoint.treeSize;
  }

  // The external anchors, read from the anchors themselves before the leaves, so the pass below can
  // take the tree's root at each anchored size on the way.
  const readers = [...(options.anchors ?? []), ...(options.anchorFile ? [new FileAnchorReader(options.anchorFile)] : [])];
  const { anchored, summaries, unchecked } = await readAnchors(readers, options, firstLeafOf, report);

  const sizesOfInterest = new Set<number>([...checkpoints.map((c) => c.treeSize), ...anchored.map((a) => a.treeSize)]);
  const rootAt = new Map<number, Digest>();
  const recomputed = new HashList();
  const frontier = new Frontier();
  let leafProblem = false;
  let nextCheckpoint = 0;
  let lastCheckpointAt = null as Date | null;
  let expected = 0;
  let mismatch: { size: number; root: Digest; start: number } | null = null;

  const atSize = async () => {
    if (sizesOfInterest.has(frontier.size)) rootAt.set(frontier.size, frontier.rootDigest());
    for (let c = trusted[nextCheckpoint]; c && c.treeSize === frontier.size; c = trusted[++nextCheckpoint]) {
      if (!leafProblem && rootAt.get(c.treeSize) !== toDigest(c.rootHash)) {
        // Located once every leaf is read: the entry signed here may have moved further on.
        leafProblem = true;
        mismatch = { size: c.treeSize, root: toDigest(c.rootHash), start: trusted[nextCheckpoint - 1]?.treeSize ?? 0 };
      }
      lastCheckpointAt = c.createdAt;
    }
  };

  for await (const page of leafPages(db, postgres, total, pageSize)) {
    for (const { leafIndex, eventId, leafHash: stored, event } of page) {
      while (expected < leafIndex) {
        // A leaf row is gone: keep the tree's shape with its absence noted.
        if (!leafProblem) report({ kind: "missing", leafIndex: expected, message: `leaf ${expected} was removed from the log` });
        leafProblem = true;
        recomputed.push(ZERO_DIGEST);
        frontier.appendDigest(ZERO_DIGEST);
        expected++;
        if (sizesOfInterest.has(frontier.size)) await atSize();
      }
      let digest: Digest;
      if (!event) {
        if (!leafProblem) report({ kind: "missing", leafIndex, message: `event ${eventId} at leaf ${leafIndex} was deleted` });
        leafProblem = true;
        digest = stored;
      } else {
        digest = entryLeafDigest(canonical, event);
        if (digest !== stored) {
          if (!leafProblem) report(await explainMismatch(db, leafIndex, event.id, fromDigest(digest)));
          leafProblem = true;
        } else if (lastCheckpointAt && event.occurredAt.getTime() < lastCheckpointAt.getTime() - lateCommitMs) {
          // A checkpoint was signed after this event says it happened, yet the event came only later:
          // the sequencer logs an event within seconds of its commit, so it was not there then.
          if (!leafProblem) {
            report({
              kind: "inserted",
              leafIndex,
              message: `event ${event.id} at leaf ${leafIndex} is dated ${event.occurredAt.toISOString()} but entered the log only after the checkpoint signed at ${lastCheckpointAt.toISOString()}`,
            });
          }
          leafProblem = true;
        }
      }
      recomputed.push(digest);
      frontier.appendDigest(digest);
      expected = leafIndex + 1;
      if (sizesOfInterest.has(frontier.size)) await atSize();
    }
    options.onProgress?.(expected, total);
  }

  if (mismatch) {
    const { size, root, start } = mismatch;
    report(
      (await locateDifference(db, recomputed, size, root, start)) ?? {
        kind: "altered",
        leafIndex: start,
        message: `the log no longer matches the signed checkpoint of size ${size}; the first difference is among leaves ${start}..${size - 1}`,
      },
    );
  }

  // Stored checkpoints beyond the end of the log: its tail was cut.
  const beyond = trusted.filter((c) => c.treeSize > frontier.size).at(-1);
  if (beyond) {
    report({
      kind: "truncated",
      leafIndex: frontier.size,
      message: `the log ends at ${frontier.size} leaves but the signed checkpoint of size ${beyond.treeSize} covers more: leaves ${frontier.size}..${beyond.treeSize - 1} were removed`,
    });
  }

  compareWithAnchors(anchored, frontier.size, rootAt, trusted, report);
  await findInsertedUnsequenced(db, lastCheckpointAt, lateCommitMs, frontier.size, report);
  const anchors = await checkClaimedAnchors(db, readers, anchored, firstLeafOf, report);

  const sorted = [...problems].sort((a, b) => (a.leafIndex ?? Infinity) - (b.leafIndex ?? Infinity));
  return {
    ok: problems.length === 0,
    treeSize: frontier.size,
    checkpoints: checkpoints.length,
    anchors,
    anchored: summaries,
    problems: sorted,
    first: sorted[0] ?? null,
    unchecked,
    seconds: (performance.now() - started) / 1000,
  };
}

const ZERO_DIGEST = toDigest(Buffer.alloc(32));

/**
 * Reads every anchor and keeps the checkpoints that are this log's and authentic: a note signed by the
 * log's key that says what the record says (file, witness), or a root the log's own account put on the
 * chain. Anything else an anchor holds is an "anchor mismatch".
 */
async function readAnchors(
  readers: AnchorReader[],
  options: VerifyOptions,
  firstLeafOf: (size: number) => number,
  report: (p: Problem) => void,
) {
  const anchored: AnchoredCheckpoint[] = [];
  const summaries: AnchorSummary[] = [];
  const unchecked: string[] = [];
  for (const reader of readers) {
    let held: AnchoredCheckpoint[];
    try {
      held = await reader.read();
    } catch (error) {
      unchecked.push(`${reader.describe}: ${(error as Error).message}`);
      continue;
    }
    const mine: AnchoredCheckpoint[] = [];
    for (const a of held) {
      if (a.malformed) {
        report({ kind: "anchor mismatch", leafIndex: null, message: `${a.where} is not a checkpoint record (${a.malformed})` });
        continue;
      }
      if (a.origin !== options.origin) {
        // The chain account may anchor other logs too; a file or witness is this log's alone.
        if (a.sink !== "chain")
          report({
            kind: "anchor mismatch",
            leafIndex: null,
            message: `${a.where} names another log (${a.origin}), not ${options.origin}`,
          });
        continue;
      }
      if (a.note !== null && options.publicKey) {
        const opened = verifyNote(a.note, options.origin, options.publicKey);
        const body = opened.ok ? parseCheckpoint(opened.text) : null;
        if (!body || body.treeSize !== a.treeSize || !body.rootHash.equals(a.rootHash)) {
          report({
            kind: "anchor mismatch",
            leafIndex: firstLeafOf(a.treeSize),
            message: `${a.where} disagrees with what the log signed for the checkpoint of size ${a.treeSize}: ${opened.ok ? "its record says another size or root than its signed note" : opened.reason}`,
          });
          continue;
        }
      }
      mine.push(a);
    }
    anchored.push(...mine);
    summaries.push({
      sink: reader.sink,
      describe: reader.describe,
      checkpoints: mine.length,
      largest: mine.length > 0 ? Math.max(...mine.map((a) => a.treeSize)) : null,
    });
  }
  return { anchored, summaries, unchecked };
}

/**
 * Truncation and rollback against the anchors: the log must reach every anchored size and have the
 * anchored root there. One problem per sink (its largest disagreement), so the report says which
 * anchors caught it.
 */
function compareWithAnchors(
  anchored: AnchoredCheckpoint[],
  size: number,
  rootAt: Map<number, Digest>,
  trusted: AuditCheckpointRow[],
  report: (p: Problem) => void,
) {
  const bySink = new Map<string, AnchoredCheckpoint[]>();
  for (const a of anchored) bySink.set(a.sink, [...(bySink.get(a.sink) ?? []), a]);
  // Sizes at which the log is known good: where its root equals an anchored or signed root.
  const good = new Set<number>([0]);
  for (const a of anchored) if (a.treeSize <= size && rootAt.get(a.treeSize) === toDigest(a.rootHash)) good.add(a.treeSize);
  for (const c of trusted) if (c.treeSize <= size && rootAt.get(c.treeSize) === toDigest(c.rootHash)) good.add(c.treeSize);
  const lastGoodBelow = (n: number) => Math.max(...[...good].filter((g) => g < n));
  for (const [, list] of bySink) {
    const sorted = [...list].sort((a, b) => b.treeSize - a.treeSize);
    const cut = sorted.find((a) => a.treeSize > size);
    if (cut) {
      report({
        kind: "truncated",
        leafIndex: size,
        message: `the log ends at ${size} leaves but the checkpoint of size ${cut.treeSize} anchored in ${cut.where} covers more: leaves ${size}..${cut.treeSize - 1} were removed${size === 0 ? " (the log is empty: wiped)" : ""}`,
      });
      continue;
    }
    const diverged = sorted.find((a) => rootAt.get(a.treeSize) !== toDigest(a.rootHash));
    if (!diverged) continue;
    // The stored checkpoint of that size agrees with the anchor: the leaves, not the history, differ,
    // which the leaf and checkpoint checks have already named exactly.
    if (trusted.some((c) => c.treeSize === diverged.treeSize && c.rootHash.equals(diverged.rootHash))) continue;
    const from = lastGoodBelow(diverged.treeSize);
    report({
      kind: "rolled back",
      leafIndex: from,
      message: `the log has ${diverged.treeSize} leaves but not the root anchored for that size in ${diverged.where}: its history was replaced (restored from an older state, or rewritten) somewhere among leaves ${from}..${diverged.treeSize - 1}`,
    });
  }
}

/** Rows the database marks as confirmed anchors must be found in the sink they name (the witness keeps only its latest). */
async function checkClaimedAnchors(
  db: Db,
  readers: AnchorReader[],
  anchored: AnchoredCheckpoint[],
  firstLeafOf: (size: number) => number,
  report: (p: Problem) => void,
): Promise<number> {
  const rows = await db.select().from(auditAnchors).where(eq(auditAnchors.status, "confirmed"));
  const read = new Set(readers.map((r) => r.sink));
  const held = new Set(anchored.map((a) => `${a.sink} ${a.treeSize} ${a.reference ?? ""}`));
  for (const row of rows) {
    if (row.sink === "witness" || !read.has(row.sink)) continue;
    if (!held.has(`${row.sink} ${row.treeSize} ${row.reference ?? ""}`)) {
      report({
        kind: "anchor mismatch",
        leafIndex: firstLeafOf(row.treeSize),
        message: `the database records the checkpoint of size ${row.treeSize} as anchored (${row.sink}: ${row.reference ?? "no reference"}), but the ${row.sink} anchor holds no such checkpoint`,
      });
    }
  }
  return rows.length;
}

interface LeafRow {
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
async function* leafPages(db: Db, postgres: PostgresClient | null, total: number, pageSize: number): AsyncGenerator<LeafRow[]> {
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

function postgresClient(db: Db): PostgresClient | null {
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

/** A recomputed leaf hash differs from the stored one: is it this event's own hash stored elsewhere? */
async function explainMismatch(db: Db, leafIndex: number, eventId: number, hash: Buffer): Promise<Problem> {
  const [elsewhere] = await db
    .select({ leafIndex: auditLeaves.leafIndex })
    .from(auditLeaves)
    .where(and(eq(auditLeaves.leafHash, hash), sql`${auditLeaves.leafIndex} <> ${leafIndex}`))
    .limit(1);
  if (elsewhere) {
    return {
      kind: "reordered",
      leafIndex,
      message: `leaf ${leafIndex} holds event ${eventId}, which the log recorded at leaf ${elsewhere.leafIndex}`,
    };
  }
  return { kind: "altered", leafIndex, message: `event ${eventId} at leaf ${leafIndex} no longer hashes to its recorded leaf hash` };
}

/**
 * Every leaf matches its stored hash but a signed root does not: the stored hashes were rewritten or
 * moved along with the events. The stored interior nodes (audit_nodes) were written when the leaves were
 * logged; walking down from the signed root, a child whose stored node the parent's authentic hash
 * confirms is authentic too, and the walk follows the first child whose recomputed hash differs from it,
 * down to one leaf or a pair. There the authentic hash tells what happened: the leaf's own event moved
 * elsewhere (reordered), a leaf spliced in with the rest shifted (inserted), or none of these (altered).
 * `start` is the previous good checkpoint's size: nothing below it can differ.
 */
async function locateDifference(db: Db, mine: HashList, size: number, signedRoot: Digest, start: number): Promise<Problem | null> {
  const stored = await storedNodes(db, size);
  const mineRange = (from: number, to: number): Digest => {
    if (to - from === 1) return mine.get(from);
    const k = splitPoint(to - from);
    return nodeDigest(mineRange(from, from + k), mineRange(from + k, to));
  };
  const storedPerfect = (from: number, to: number): Digest | null => {
    const n = to - from;
    if (n < 2 || (n & (n - 1)) !== 0 || from % n !== 0) return null;
    return stored.get(`${Math.log2(n)}:${from / n}`) ?? null;
  };
  let s = 0;
  let e = size;
  let authentic: Digest | null = signedRoot;
  while (e - s > 2) {
    const k = splitPoint(e - s);
    const sl = storedPerfect(s, s + k);
    const sr = storedPerfect(s + k, e);
    const ml = mineRange(s, s + k);
    const mr = mineRange(s + k, e);
    let al: Digest | null = sl;
    let ar: Digest | null = sr;
    if (authentic !== null) {
      if (sl !== null && sr !== null && nodeDigest(sl, sr) === authentic) [al, ar] = [sl, sr];
      else if (sl !== null && nodeDigest(sl, mr) === authentic) [al, ar] = [sl, mr];
      else if (sr !== null && nodeDigest(ml, sr) === authentic) [al, ar] = [ml, sr];
      else if (sl !== null && sr !== null) return null; // the stored nodes are not the signed ones either: nothing to walk by
    }
    if (al !== null && ml !== al && s + k > start) {
      e = s + k;
      authentic = al;
    } else {
      s = s + k;
      authentic = ar;
    }
  }
  return e - s === 2 ? explainPair(mine, s, authentic, size, signedRoot) : explainLeaf(mine, s, authentic, size, signedRoot);
}

/** Interior nodes of the stored tree under `size` (perfect subtrees of level ≥ 1), keyed "level:index". */
async function storedNodes(db: Db, size: number): Promise<Map<string, Digest>> {
  const result = await db.execute(
    sql`select level, idx, encode(hash, 'hex') as hash from audit_nodes where (idx + 1) * (1::bigint << level) <= ${size}`,
  );
  const map = new Map<string, Digest>();
  for (const row of rowsOf<{ level: number; idx: number | string; hash: string }>(result)) {
    map.set(`${row.level}:${Number(row.idx)}`, Buffer.from(row.hash, "hex").toString("latin1"));
  }
  return map;
}

/** Does the log with leaf `at` taken out have the signed root? Then `at` was spliced in. */
function splicedIn(mine: HashList, at: number, size: number, signedRoot: Digest): boolean {
  if (mine.length < size + 1) return false;
  const frontier = new Frontier();
  for (let i = 0; i <= size; i++) if (i !== at) frontier.appendDigest(mine.get(i));
  return frontier.rootDigest() === signedRoot;
}

function findLeaf(mine: HashList, match: (digest: Digest) => boolean, except: number): number {
  for (let j = 0; j < mine.length; j++) if (j !== except && match(mine.get(j))) return j;
  return -1;
}

const reordered = (leaf: number, moved: number): Problem => ({
  kind: "reordered",
  leafIndex: leaf,
  message: `leaf ${leaf} no longer holds the entry the log signed there: that entry now sits at leaf ${moved}`,
});
const inserted = (leaf: number): Problem => ({
  kind: "inserted",
  leafIndex: leaf,
  message: `leaf ${leaf} was inserted into the log: the entries signed from ${leaf} on now sit one leaf later`,
});

function explainLeaf(mine: HashList, s: number, authentic: Digest | null, size: number, signedRoot: Digest): Problem {
  if (authentic !== null) {
    if (splicedIn(mine, s, size, signedRoot)) return inserted(s);
    const j = findLeaf(mine, (d) => d === authentic, s);
    if (j >= 0) return reordered(s, j);
  }
  return {
    kind: "altered",
    leafIndex: s,
    message: `leaf ${s} differs from the entry the checkpoint of size ${size} signed (its stored hash was rewritten to match)`,
  };
}

function explainPair(mine: HashList, s: number, authentic: Digest | null, size: number, signedRoot: Digest): Problem {
  const [a, b] = [mine.get(s), mine.get(s + 1)];
  if (authentic !== null) {
    if (nodeDigest(b, a) === authentic) return { kind: "reordered", leafIndex: s, message: `leaves ${s} and ${s + 1} were swapped` };
    if (splicedIn(mine, s, size, signedRoot)) return inserted(s);
    if (splicedIn(mine, s + 1, size, signedRoot)) return inserted(s + 1);
    const left = findLeaf(mine, (d) => nodeDigest(d, b) === authentic, s);
    if (left >= 0) return reordered(s, left);
    const right = findLeaf(mine, (d) => nodeDigest(a, d) === authentic, s + 1);
    if (right >= 0) return reordered(s + 1, right);
  }
  return {
    kind: "altered",
    leafIndex: s,
    message: `leaf ${s} or ${s + 1} differs from the entry the checkpoint of size ${size} signed (its stored hash was rewritten to match, so the two cannot be told apart)`,
  };
}

/**
 * Events never sequenced although a checkpoint was signed well after they say they happened: the
 * sequencer would have logged them before it, so they were written later, back-dated.
 */
async function findInsertedUnsequenced(
  db: Db,
  lastCheckpointAt: Date | null,
  lateCommitMs: number,
  size: number,
  report: (p: Problem) => void,
) {
  if (!lastCheckpointAt) return;
  const [row] = await db
    .select({ id: auditEvents.id, occurredAt: auditEvents.occurredAt })
    .from(auditEvents)
    .leftJoin(auditLeaves, eq(auditLeaves.eventId, auditEvents.id))
    .where(and(isNull(auditLeaves.leafIndex), lt(auditEvents.occurredAt, new Date(lastCheckpointAt.getTime() - lateCommitMs))))
    .orderBy(asc(auditEvents.id))
    .limit(1);
  if (row) {
    report({
      kind: "inserted",
      leafIndex: size,
      message: `event ${row.id} (dated ${row.occurredAt.toISOString()}) is not in the log although a checkpoint was signed at ${lastCheckpointAt.toISOString()}; it would be sequenced at leaf ${size}`,
    });
  }
}
