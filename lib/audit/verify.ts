// Verifies the whole audit log from the database, trusting nothing stored except what the checkpoint
// key signed: every leaf hash is recomputed from its event, the tree is rebuilt, each checkpoint's
// signature and root are checked against it, and each anchor against its checkpoint. Problems name the
// first bad leaf index and what is wrong: altered, missing, reordered, inserted, bad signature, anchor
// mismatch.
import { and, asc, desc, eq, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { auditAnchors, auditCheckpoints, auditEvents, auditLeaves, type AuditCheckpointRow } from "@/lib/db/schema";
import { readAnchorFile } from "./anchors";
import { canonicalizer, entryLeafDigest, type EntryEvent } from "./entry";
import { eventFromJson, eventJsonArray, type EventJson } from "./event-json";
import { Frontier, fromDigest, nodeHash, rangeHash, splitPoint, toDigest, type Digest, type Hash } from "./merkle";
import { parseCheckpoint, verifyNote } from "./note";
import { rowsOf, withStoredTree } from "./tree-store";

export const problemKinds = ["altered", "missing", "reordered", "inserted", "bad signature", "anchor mismatch"] as const;
export type ProblemKind = (typeof problemKinds)[number];

export interface Problem {
  kind: ProblemKind;
  /** The first leaf index affected; null when no leaf can be named (e.g. an anchor for no checkpoint). */
  leafIndex: number | null;
  message: string;
}

export interface VerifyOptions {
  /** The checkpoint key (raw Ed25519) and its name (the log's origin). */
  publicKey: Buffer;
  origin: string;
  /** The file anchor sink's file; anchors are checked against it when given. */
  anchorFile?: string;
  /** An event older than the checkpoint that first covered higher ids by more than this is "inserted". */
  lateCommitMs?: number;
  /** Leaves read per query (default 10,000); a few pages are fetched ahead while one is hashed. */
  pageSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface VerifyReport {
  ok: boolean;
  treeSize: number;
  checkpoints: number;
  anchors: number;
  problems: Problem[];
  first: Problem | null;
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
  get(i: number): Hash {
    return this.#buf.subarray(i * 32, i * 32 + 32);
  }
}

export async function verifyLog(db: Db, options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const canonical = await canonicalizer();
  const pageSize = options.pageSize ?? 10_000;
  const lateCommitMs = options.lateCommitMs ?? 300_000;
  const problems: Problem[] = [];
  const report = (p: Problem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };

  const checkpoints = await db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.treeSize));
  const [last] = await db.select({ i: auditLeaves.leafIndex }).from(auditLeaves).orderBy(desc(auditLeaves.leafIndex)).limit(1);
  const total = last ? last.i + 1 : 0;

  // Signatures first: a checkpoint whose signature fails proves nothing about the leaves it names.
  const trusted: AuditCheckpointRow[] = [];
  let previousSize = 0;
  for (const checkpoint of checkpoints) {
    const opened = verifyNote(checkpoint.note, options.origin, options.publicKey);
    const body = opened.ok ? parseCheckpoint(opened.text) : null;
    if (
      !opened.ok ||
      !body ||
      body.origin !== options.origin ||
      body.treeSize !== checkpoint.treeSize ||
      !body.rootHash.equals(checkpoint.rootHash)
    ) {
      report({
        kind: "bad signature",
        leafIndex: previousSize,
        message: `checkpoint of tree size ${checkpoint.treeSize}: ${opened.ok ? "the signed note does not match the stored size or root" : opened.reason}`,
      });
    } else {
      trusted.push(checkpoint);
    }
    previousSize = checkpoint.treeSize;
  }

  const recomputed = new HashList();
  const frontier = new Frontier();
  let leafProblem = false;
  let nextCheckpoint = 0;
  let maxIdSoFar = 0;
  let maxIdAtCheckpoint = 0;
  let lastCheckpointAt = null as Date | null;
  let expected = 0;

  const checkCheckpoints = async () => {
    for (let c = trusted[nextCheckpoint]; c && c.treeSize === frontier.size; c = trusted[++nextCheckpoint]) {
      if (!leafProblem && frontier.rootDigest() !== toDigest(c.rootHash)) {
        leafProblem = true;
        const start = trusted[nextCheckpoint - 1]?.treeSize ?? 0;
        const located = await locateDifference(db, recomputed, c.treeSize, c.rootHash);
        report(
          located ??
            ({
              kind: "altered",
              leafIndex: start,
              message: `the log no longer matches the signed checkpoint of size ${c.treeSize}; the first difference is among leaves ${start}..${c.treeSize - 1}`,
            } satisfies Problem),
        );
      }
      maxIdAtCheckpoint = maxIdSoFar;
      lastCheckpointAt = c.createdAt;
    }
  };
  // Checked per leaf without a promise: checkpoints are few, leaves are millions.
  const checkpointDue = () => trusted[nextCheckpoint]?.treeSize === frontier.size;

  // Pages are ranges of leaf indices, so several can be in flight: the database builds the next ones
  // while this one is hashed. The log is verified up to the size it had when verification started.
  const pages = Math.ceil(total / pageSize);
  const fetchPage = (p: number) => {
    const fetching = fetchLeafPage(db, p * pageSize, Math.min(total, (p + 1) * pageSize));
    fetching.catch(() => {}); // rethrown where it is awaited; this only keeps an early failure from going unhandled
    return fetching;
  };
  const inFlight = Array.from({ length: Math.min(PAGES_IN_FLIGHT, pages) }, (_, p) => fetchPage(p));
  for (let p = 0; p < pages; p++) {
    const page = await (inFlight.shift() as Promise<LeafRow[]>);
    if (p + PAGES_IN_FLIGHT < pages) inFlight.push(fetchPage(p + PAGES_IN_FLIGHT));
    for (const { leafIndex, eventId, leafHash: stored, event } of page) {
      while (expected < leafIndex) {
        // A leaf row is gone: keep the tree's shape with its stored neighbour's absence noted.
        if (!leafProblem) report({ kind: "missing", leafIndex: expected, message: `leaf ${expected} was removed from the log` });
        leafProblem = true;
        recomputed.push(ZERO_DIGEST);
        frontier.appendDigest(ZERO_DIGEST);
        expected++;
        if (checkpointDue()) await checkCheckpoints();
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
        } else if (
          event.id < maxIdAtCheckpoint &&
          lastCheckpointAt &&
          event.occurredAt.getTime() < lastCheckpointAt.getTime() - lateCommitMs
        ) {
          if (!leafProblem) {
            report({
              kind: "inserted",
              leafIndex,
              message: `event ${event.id} at leaf ${leafIndex} is dated ${event.occurredAt.toISOString()} but appeared only after a checkpoint at ${lastCheckpointAt.toISOString()} had covered later events`,
            });
          }
          leafProblem = true;
        }
        if (event.id > maxIdSoFar) maxIdSoFar = event.id;
      }
      recomputed.push(digest);
      frontier.appendDigest(digest);
      expected = leafIndex + 1;
      if (checkpointDue()) await checkCheckpoints();
    }
    options.onProgress?.(expected, total);
  }

  for (const c of trusted.slice(nextCheckpoint)) {
    if (c.treeSize > frontier.size) {
      report({
        kind: "missing",
        leafIndex: frontier.size,
        message: `the log ends at ${frontier.size} leaves but a signed checkpoint covers ${c.treeSize}: leaves ${frontier.size}..${c.treeSize - 1} were removed`,
      });
      break;
    }
  }

  await findInsertedUnsequenced(db, maxIdAtCheckpoint, lastCheckpointAt, lateCommitMs, frontier.size, report);
  const anchors = await checkAnchors(db, checkpoints, options.anchorFile, report);

  const sorted = [...problems].sort((a, b) => (a.leafIndex ?? Infinity) - (b.leafIndex ?? Infinity));
  return {
    ok: problems.length === 0,
    treeSize: frontier.size,
    checkpoints: checkpoints.length,
    anchors,
    problems: sorted,
    first: sorted[0] ?? null,
    seconds: (performance.now() - started) / 1000,
  };
}

const ZERO_DIGEST = toDigest(Buffer.alloc(32));

interface LeafRow {
  leafIndex: number;
  eventId: number;
  /** The stored leaf hash. */
  leafHash: Digest;
  /** Null when the event row is gone. */
  event: EntryEvent | null;
}

/**
 * Leaves [from, to) of the log in leaf order, each with its event. The server writes the page as one
 * JSON array text, parsed with one JSON.parse: decoding fifteen columns a row through the driver costs
 * several times what hashing the row does. Each value is what the driver would hand drizzle —
 * occurred_at as timestamptz text, turned into a Date the way drizzle does it, details as jsonb text —
 * so the event is the one the sequencer hashed.
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

/** A recomputed leaf hash differs from the stored one: is it this event's own hash stored elsewhere? */
async function explainMismatch(db: Db, leafIndex: number, eventId: number, hash: Hash): Promise<Problem> {
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
 * When every leaf matches its stored hash but a signed root does not, the stored hashes themselves were
 * moved or rewritten. If the stored interior nodes still reproduce the signed root they are authentic,
 * so walking down from the root to the first subtree whose recomputed hash differs names the leaf.
 */
async function locateDifference(db: Db, recomputed: HashList, size: number, signedRoot: Hash): Promise<Problem | null> {
  const mine = { subtree: (level: number, index: number) => rangeHashOf(recomputed, index * 2 ** level, (index + 1) * 2 ** level) };
  let start = 0;
  let end = size;
  let authentic = signedRoot;
  try {
    while (end - start > 1) {
      const k = splitPoint(end - start);
      const [left, right] = await withStoredTree(db, (s) => [rangeHash(s, start, start + k), rangeHash(s, start + k, end)] as const);
      if (!nodeHash(left, right).equals(authentic)) {
        // Stored leaf hashes are what an attacker moves; interior nodes above them still hold. Between
        // two leaves, test what would explain the authentic parent.
        return end - start === 2 ? explainPair(recomputed, start, authentic, size) : null;
      }
      if (!rangeHash(mine, start, start + k).equals(left)) {
        end = start + k;
        authentic = left;
      } else {
        start = start + k;
        authentic = right;
      }
    }
  } catch {
    return null;
  }
  const shifted = start + 1 < recomputed.length && recomputed.get(start + 1).equals(authentic);
  return shifted
    ? {
        kind: "inserted",
        leafIndex: start,
        message: `leaf ${start} was inserted into the log: the entry signed at ${start} now sits at ${start + 1}`,
      }
    : {
        kind: "altered",
        leafIndex: start,
        message: `leaf ${start} differs from the entry the checkpoint of size ${size} signed (replaced, removed or moved)`,
      };
}

function explainPair(recomputed: HashList, start: number, authentic: Hash, size: number): Problem {
  const [a, b] = [recomputed.get(start), recomputed.get(start + 1)];
  if (nodeHash(b, a).equals(authentic)) {
    return { kind: "reordered", leafIndex: start, message: `leaves ${start} and ${start + 1} were swapped` };
  }
  if (start + 2 < recomputed.length && nodeHash(b, recomputed.get(start + 2)).equals(authentic)) {
    return {
      kind: "inserted",
      leafIndex: start,
      message: `leaf ${start} was inserted into the log: the entry signed at ${start} now sits at ${start + 1}`,
    };
  }
  return {
    kind: "altered",
    leafIndex: start,
    message: `leaves ${start}..${start + 1} differ from the entries the checkpoint of size ${size} signed`,
  };
}

function rangeHashOf(list: HashList, start: number, end: number): Hash {
  if (end - start === 1) return list.get(start);
  const k = splitPoint(end - start);
  return nodeHash(rangeHashOf(list, start, start + k), rangeHashOf(list, start + k, end));
}

/** Events never sequenced although later ones were checkpointed long after they claim to have happened. */
async function findInsertedUnsequenced(
  db: Db,
  maxIdAtCheckpoint: number,
  lastCheckpointAt: Date | null,
  lateCommitMs: number,
  size: number,
  report: (p: Problem) => void,
) {
  if (!lastCheckpointAt) return;
  const rows = await db
    .select({ id: auditEvents.id, occurredAt: auditEvents.occurredAt })
    .from(auditEvents)
    .leftJoin(auditLeaves, eq(auditLeaves.eventId, auditEvents.id))
    .where(
      and(
        isNull(auditLeaves.leafIndex),
        lt(auditEvents.id, maxIdAtCheckpoint),
        lt(auditEvents.occurredAt, new Date(lastCheckpointAt.getTime() - lateCommitMs)),
      ),
    )
    .orderBy(asc(auditEvents.id))
    .limit(1);
  const [row] = rows;
  if (row) {
    report({
      kind: "inserted",
      leafIndex: size,
      message: `event ${row.id} (dated ${row.occurredAt.toISOString()}) is not in the log although later events were checkpointed; it would be sequenced at leaf ${size}`,
    });
  }
}

async function checkAnchors(db: Db, checkpoints: AuditCheckpointRow[], anchorFile: string | undefined, report: (p: Problem) => void) {
  const bySize = new Map(checkpoints.map((c) => [c.treeSize, c]));
  const firstLeaf = (size: number) => {
    const i = checkpoints.findIndex((c) => c.treeSize === size);
    return i > 0 ? (checkpoints[i - 1]?.treeSize ?? 0) : 0;
  };
  const rows = await db.select().from(auditAnchors).where(eq(auditAnchors.status, "confirmed"));
  if (!anchorFile) return rows.length;
  const lines = await readAnchorFile(anchorFile);
  const byOffset = new Map(lines.map((l) => [l.offset, l]));
  for (const line of lines) {
    const record = line.record;
    const checkpoint = record ? bySize.get(record.tree_size) : undefined;
    if (!record || !checkpoint) {
      report({ kind: "anchor mismatch", leafIndex: null, message: `anchor file line ${line.line} names no checkpoint of this log` });
      continue;
    }
    if (record.root_hash !== checkpoint.rootHash.toString("hex") || record.note !== checkpoint.note) {
      report({
        kind: "anchor mismatch",
        leafIndex: firstLeaf(checkpoint.treeSize),
        message: `anchor file line ${line.line} disagrees with the checkpoint of size ${checkpoint.treeSize}`,
      });
    }
  }
  for (const anchor of rows.filter((a) => a.sink === "file")) {
    const offset = Number(anchor.reference?.split("@")[1]);
    const line = byOffset.get(offset);
    if (!line || line.record?.tree_size !== anchor.treeSize) {
      report({
        kind: "anchor mismatch",
        leafIndex: firstLeaf(anchor.treeSize),
        message: `the anchor of checkpoint ${anchor.treeSize} is missing from the anchor file (${anchor.reference ?? "no reference"})`,
      });
    }
  }
  return rows.length;
}
