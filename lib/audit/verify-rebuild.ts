// The pass of a verification over every leaf: each leaf hash recomputed from its event, the tree rebuilt,
// its root taken at every size a checkpoint or anchor names, and the first leaf problem reported (a leaf
// or event gone, an event that no longer hashes as logged, an event that entered the log late).
import type { AuditCheckpointRow } from "@/lib/db/schema";
import { entryLeafDigest, type canonicalizer } from "./entry";
import { Frontier, fromDigest, toDigest, type Digest } from "./merkle";
import { explainMismatch, HashList } from "./verify-diagnosis";
import type { LeafRow } from "./verify-leaves";
import type { Db } from "@/lib/db/client";
import type { Problem } from "./verify-report";

const ZERO_DIGEST = toDigest(Buffer.alloc(32));

/** A signed checkpoint the rebuilt tree does not match, to be located once every leaf is read. */
export interface Mismatch {
  size: number;
  root: Digest;
  /** The previous trusted checkpoint's size: the first leaf the difference can be at. */
  start: number;
}

export class TreeRebuild {
  /** The tree's root at every size a checkpoint or anchor names. */
  readonly rootAt = new Map<number, Digest>();
  /** Every recomputed leaf hash, in leaf order. */
  readonly recomputed = new HashList();
  readonly frontier = new Frontier();
  /** The first trusted checkpoint the tree did not match. */
  mismatch: Mismatch | null = null;
  /** When the last checkpoint reached so far was signed. */
  lastCheckpointAt: Date | null = null;
  /** The next leaf index expected. */
  expected = 0;
  #leafProblem = false;
  #nextCheckpoint = 0;

  constructor(
    private readonly db: Db,
    private readonly canonical: Awaited<ReturnType<typeof canonicalizer>>,
    /** Checkpoints whose signature verified, by tree size. */
    private readonly trusted: AuditCheckpointRow[],
    private readonly sizesOfInterest: Set<number>,
    private readonly lateCommitMs: number,
    private readonly report: (problem: Problem) => void,
  ) {}

  /** Adds one leaf (and, before it, any leaves missing from the middle of the log). */
  async add({ leafIndex, eventId, leafHash: stored, event }: LeafRow): Promise<void> {
    while (this.expected < leafIndex) {
      // A leaf row is gone: keep the tree's shape with its absence noted.
      this.#problem(() => ({ kind: "missing", leafIndex: this.expected, message: `leaf ${this.expected} was removed from the log` }));
      await this.#append(ZERO_DIGEST);
    }
    let digest: Digest;
    if (!event) {
      this.#problem(() => ({ kind: "missing", leafIndex, message: `event ${eventId} at leaf ${leafIndex} was deleted` }));
      digest = stored;
    } else {
      digest = entryLeafDigest(this.canonical, event);
      const late = this.lastCheckpointAt;
      if (digest !== stored) {
        if (!this.#leafProblem) this.report(await explainMismatch(this.db, leafIndex, event.id, fromDigest(digest)));
        this.#leafProblem = true;
      } else if (late && event.occurredAt.getTime() < late.getTime() - this.lateCommitMs) {
        // A checkpoint was signed after this event says it happened, yet the event came only later:
        // the sequencer logs an event within seconds of its commit, so it was not there then.
        this.#problem(() => ({
          kind: "inserted",
          leafIndex,
          message: `event ${event.id} at leaf ${leafIndex} is dated ${event.occurredAt.toISOString()} but entered the log only after the checkpoint signed at ${late.toISOString()}`,
        }));
      }
    }
    await this.#append(digest);
  }

  /** Reports only the first leaf problem: what follows it is explained by it. */
  #problem(problem: () => Problem) {
    if (!this.#leafProblem) this.report(problem());
    this.#leafProblem = true;
  }

  async #append(digest: Digest) {
    this.recomputed.push(digest);
    this.frontier.appendDigest(digest);
    this.expected++;
    if (this.sizesOfInterest.has(this.frontier.size)) this.#atSize();
  }

  /** At a size a checkpoint or anchor names: keep the root, and compare it with the checkpoints of this size. */
  #atSize() {
    const size = this.frontier.size;
    this.rootAt.set(size, this.frontier.rootDigest());
    for (let c = this.trusted[this.#nextCheckpoint]; c && c.treeSize === size; c = this.trusted[++this.#nextCheckpoint]) {
      if (!this.#leafProblem && this.rootAt.get(c.treeSize) !== toDigest(c.rootHash)) {
        // Located once every leaf is read: the entry signed here may have moved further on.
        this.#leafProblem = true;
        this.mismatch = { size: c.treeSize, root: toDigest(c.rootHash), start: this.trusted[this.#nextCheckpoint - 1]?.treeSize ?? 0 };
      }
      this.lastCheckpointAt = c.createdAt;
    }
  }
}
