// Naming what is wrong once a verification finds the rebuilt tree differs from a signed one: which leaf
// was altered, removed, reordered or spliced in, and events that never entered the log.
import { and, asc, eq, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { auditEvents, auditLeaves } from "@/lib/db/schema";
import { Frontier, nodeDigest, splitPoint, toDigest, type Digest } from "./merkle";
import { PACKED_LEVEL, unpackBelow } from "./node-blocks";
import { leafHashIs, rowsOf } from "./tree-store";
import type { Problem } from "./verify-report";

/** Flat storage of recomputed leaf hashes (32 bytes each), so a million leaves cost 32 MB, not a million Buffers. */
export class HashList {
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

/** A recomputed leaf hash differs from the stored one: is it this event's own hash stored elsewhere? */
export async function explainMismatch(db: Db, leafIndex: number, eventId: number, hash: Buffer): Promise<Problem> {
  const [elsewhere] = await db
    .select({ leafIndex: auditLeaves.leafIndex })
    .from(auditLeaves)
    .where(and(leafHashIs(hash), sql`${auditLeaves.leafIndex} <> ${leafIndex}`))
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
export async function locateDifference(db: Db, mine: HashList, size: number, signedRoot: Digest, start: number): Promise<Problem | null> {
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
  // A level-4 row is read when any of the nodes packed in it lies under `size`, each node then kept only
  // if it does.
  const result = await db.execute(
    sql`select level, idx, encode(hash, 'hex') as hash, encode(below, 'hex') as below from audit_nodes
      where (idx + 1) * (1::bigint << level) <= ${size} or (level = ${PACKED_LEVEL} and below is not null and idx * 16 + 2 <= ${size})`,
  );
  const map = new Map<string, Digest>();
  const add = (level: number, index: number, digest: Digest) => {
    if ((index + 1) * 2 ** level <= size) map.set(`${level}:${index}`, digest);
  };
  for (const row of rowsOf<{ level: number; idx: number | string; hash: string; below: string | null }>(result)) {
    add(Number(row.level), Number(row.idx), Buffer.from(row.hash, "hex").toString("latin1"));
    if (row.below) {
      for (const node of unpackBelow(Number(row.idx), Buffer.from(row.below, "hex"))) add(node.level, node.index, toDigest(node.hash));
    }
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
export async function findInsertedUnsequenced(
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
