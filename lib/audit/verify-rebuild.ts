// The pass of a verification over every leaf: each leaf hash recomputed from its event, the tree rebuilt,
// its root taken at every size a checkpoint or anchor names, and the first leaf problem reported (a leaf
// or event gone, an event that no longer hashes as logged, an event that entered the log late).
import type { AuditCheckpointRow } from "@/lib/db/schema";
import { Frontier, fromDigest, toDigest, type Digest } from "./merkle";
import { explainMismatch, HashList } from "./verify-diagnosis";
import type { LeafRow } from "./verify-leaf-row";
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
    /** Checkpoints whose signature verified, by tree size. */
    private readonly trusted: AuditCheckpointRow[],
    private readonly sizesOfInterest: Set<number>,
    private readonly lateCommitMs: number,
    private readonly report: (problem: Problem) => void,
  ) {}

  /** Adds a page of leaves, in leaf order. */
  async addPage(page: readonly LeafRow[]): Promise<void> {
    for (const leaf of page) {
      // Synchronous unless a problem needs the database to be explained.
      const explaining = this.#add(leaf);
      if (explaining) await explaining;
    }
  }

  /** Adds one leaf (and, before it, any leaves missing from the middle of the log). */
  #add({ leafIndex, eventId, leafHash: stored, event, archive }: LeafRow): Promise<void> | undefined {
    while (this.expected < leafIndex) {
      // A leaf row is gone: keep the tree's shape with its absence noted.
      this.#problem(() => ({ kind: "missing", leafIndex: this.expected, message: `leaf ${this.expected} was removed from the log` }));
      this.#append(ZERO_DIGEST);
    }
    if (!event) {
      this.#problem(() => ({
        kind: "missing",
        leafIndex,
        message: `event ${eventId} at leaf ${leafIndex} is gone from audit_events (its row, or the context or subject row it names, was deleted)${archive ? `: archive ${archive} does not hold it either` : ""}`,
      }));
      this.#append(stored);
      return undefined;
    }
    const { digest } = event;
    const late = this.lastCheckpointAt;
    let explaining: Promise<void> | undefined;
    if (digest !== stored) {
      if (!this.#leafProblem) explaining = explainMismatch(this.db, leafIndex, event.id, fromDigest(digest)).then(this.report);
      this.#leafProblem = true;
    } else if (late && event.occurredAtMs < late.getTime() - this.lateCommitMs) {
      // A checkpoint was signed after this event says it happened, yet the event came only later:
      // the sequencer logs an event within seconds of its commit, so it was not there then.
      this.#problem(() => ({
        kind: "inserted",
        leafIndex,
        message: `event ${event.id} at leaf ${leafIndex} is dated ${new Date(event.occurredAtMs).toISOString()} but entered the log only after the checkpoint signed at ${late.toISOString()}`,
      }));
    }
    this.#append(digest);
    return explaining;
  }

  /** Reports only the first leaf problem: what follows it is explained by it. */
  #problem(problem: () => Problem) {
    if (!this.#leafProblem) this.report(problem());
    this.#leafProblem = true;
  }

  #append(digest: Digest) {
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
