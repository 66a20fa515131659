// The sequencer: off the request path, it gives committed audit events consecutive leaf indices,
// extends the Merkle tree, signs a checkpoint of the tree head at least every checkpoint interval while
// events arrive, and hands each checkpoint to the anchor sinks. One leader at a time: every tick runs in
// a transaction holding a PostgreSQL advisory transaction lock, so any number of app instances and
// workers can run it and a tick that finds the lock taken simply does nothing.
//
// Which events: all unsequenced events, ordered by id. Ids approximate commit order, but a transaction
// that took its id early may commit after higher ids were sequenced (a late commit); such an event is
// sequenced when it appears, never skipped. Cheaply: each tick reads ids above the highest seen plus the
// remembered gaps (ids skipped over, which are either late commits or rolled back), and a sweep on
// start and every few minutes catches anything older. The sweep reads only the ids above a stored mark
// (audit_sequencer_state.swept_to) below which every id has a leaf or can never commit, so it costs the
// events of the last minutes, not the whole log. An event's id is taken inside its INSERT, which holds a
// RowExclusiveLock on audit_event_rows until its transaction ends; so an id at or below the highest sequenced
// one at some sweep can still commit only while a transaction that held that lock then is still running
// (pg_locks, this database only). The mark moves past a missing id once every such transaction of an
// earlier sweep has ended.
//
// Counting: as it gives events their leaves, the sequencer adds them to audit_daily_counts (per UTC day,
// extension and outcome) in the same transaction, so the overview's counts read a few rows per day.
//
// Anchoring: a sink without an interval (file, witness) gets every checkpoint; a sink with one (the
// chain) gets the latest checkpoint once per interval, and only when its previous anchor has settled,
// so it costs one transaction per interval. Each anchor goes pending → confirmed (a chain transaction
// once it is N blocks deep), or failed → retried with backoff (5 s doubling to 1 h) until it succeeds.
import { asc, desc, eq, gt, inArray, isNull, lte, ne, or, sql, and, notExists } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db, Tx } from "@/lib/db/client";
import { auditAnchors, auditCheckpoints, auditEvents, auditLeaves, auditSequencerState } from "@/lib/db/schema";
import { logger as defaultLogger } from "@/lib/logger";
import type { ArchiveSchedule } from "./archive";
import type { AnchorProgress, AnchorSink } from "./anchors";
import { canonicalizer, entryLeafHash, type EntryEvent } from "./entry";
import type { CompletedNode, Frontier } from "./merkle";
import { formatCheckpoint } from "./note";
import type { CheckpointSigner } from "./signing-key";
import { selectEventsJson } from "./event-json";
import { latestCheckpoint, loadFrontier, rowsOf, treeSize } from "./tree-store";
import { addDailyCounts, eventWriters, firstMissingId, writeNodes } from "./sequencer-sql";

/** Events without a leaf (over audit_events, by its primary key and the leaves' unique event index). */
const unsequenced = () => notExists(sql`(select 1 from ${auditLeaves} where ${auditLeaves.eventId} = ${auditEvents.id})`);

/** Advisory lock keys: arbitrary but fixed, distinct from the migration lock. */
const SEQUENCER_LOCK = 0x4c4b_4155; // "LKAU"
const ANCHOR_LOCK = 0x4c4b_414e; // "LKAN"
const RETRY_FIRST_MS = 5000;
const RETRY_MAX_MS = 3_600_000;

/** How long a failed anchor waits before its next attempt: 5 s after the first failure, doubling, at most an hour. */
export const anchorRetryDelayMs = (attempts: number) => Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, attempts - 1));

export interface SequencerOptions {
  db: Db;
  /**
   * Loaded lazily (it needs the keyring) and cached. Its name is the log's origin, which every
   * checkpoint carries: the stored one (log-origin.ts), not whatever the configuration says today.
   */
  signer: () => Promise<CheckpointSigner>;
  sinks: AnchorSink[];
  checkpointIntervalMs?: number;
  batchSize?: number;
  /** How long skipped-over ids are re-checked every tick before only the periodic sweep looks for them. */
  gapWindowMs?: number;
  sweepIntervalMs?: number;
  /** Retention (archive.ts): passes run beside the ticks, at most once per its interval; stopped by stop(). */
  archive?: ArchiveSchedule;
  logger?: Logger;
}

/** What one sweep saw, to tell later whether an id missing then can still commit. */
interface SweepHorizon {
  /** The highest sequenced event id when the sweep ran: every id up to it had been handed out by then. */
  maxSeen: number;
  /** The transactions (virtual ids) that held a write lock on audit_event_rows then, other than the sweep's own. */
  writers: string[];
}

export interface TickResult {
  leader: boolean;
  sequenced: number;
  treeSize: number;
  checkpoint: number | null;
  anchored: number;
}

export class Sequencer {
  readonly #db: Db;
  readonly #options: Required<Omit<SequencerOptions, "db" | "logger" | "archive">>;
  readonly #archive: ArchiveSchedule | undefined;
  readonly #log: Logger;
  #signer: Promise<CheckpointSigner> | undefined;
  #frontier: Frontier | undefined;
  #maxSeen: number | undefined;
  readonly #gaps = new Map<number, number>();
  #lastSweep = 0;
  /** The horizons of this process's latest sweeps, newest last (a few, see #sweep). */
  #horizons: SweepHorizon[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(options: SequencerOptions) {
    this.#db = options.db;
    this.#log = options.logger ?? defaultLogger;
    this.#archive = options.archive;
    this.#options = {
      signer: options.signer,
      sinks: options.sinks,
      checkpointIntervalMs: options.checkpointIntervalMs ?? 2000,
      batchSize: options.batchSize ?? 5000,
      gapWindowMs: options.gapWindowMs ?? 120_000,
      sweepIntervalMs: options.sweepIntervalMs ?? 600_000,
    };
  }

  /** Its archiving passes (retention), if it runs them. */
  get archive(): ArchiveSchedule | undefined {
    return this.#archive;
  }

  signer(): Promise<CheckpointSigner> {
    this.#signer ??= this.#options.signer().catch((error: unknown) => {
      this.#signer = undefined;
      throw error;
    });
    return this.#signer;
  }

  /** Runs ticks every intervalMs until stop(); errors are logged and the next tick retries. */
  start(intervalMs: number): void {
    if (this.#timer) return;
    const loop = async () => {
      try {
        this.#running = this.runUntilIdle();
        await this.#running;
        void this.#archive?.ifDue(new Date());
      } catch (error) {
        this.#log.error({ err: error }, "audit sequencer tick failed; retrying");
      } finally {
        this.#running = undefined;
        if (this.#timer) this.#timer = setTimeout(() => void loop(), intervalMs).unref();
      }
    };
    this.#timer = setTimeout(() => void loop(), intervalMs).unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.all([this.#running?.catch(() => {}), this.#archive?.stop()]);
  }

  /** Ticks until a tick sequences nothing more (a backlog drains in one go). */
  async runUntilIdle(options: { forceCheckpoint?: boolean } = {}): Promise<TickResult> {
    let total = 0;
    for (;;) {
      const result = await this.tick(options);
      total += result.sequenced;
      if (!result.leader || result.sequenced < this.#options.batchSize) return { ...result, sequenced: total };
    }
  }

  async tick(options: { forceCheckpoint?: boolean; now?: Date } = {}): Promise<TickResult> {
    const now = options.now ?? new Date();
    // Key material outside the transaction: a keyring outage must not hold the lock.
    const [signer, canonical] = await Promise.all([this.signer(), canonicalizer()]);
    const result = await this.#db.transaction(async (tx) => {
      const [lock] = rowsOf<{ locked: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${SEQUENCER_LOCK}) as locked`));
      if (!lock?.locked) return { leader: false, sequenced: 0, treeSize: 0, checkpoint: null, anchored: 0 };
      const sequenced = await this.#sequence(tx, now, canonical);
      const size = this.#frontier?.size ?? 0;
      const checkpoint = await this.#maybeCheckpoint(tx, signer, size, now, options.forceCheckpoint ?? false);
      await this.#scheduleIntervalAnchors(tx, now);
      return { leader: true, sequenced, treeSize: size, checkpoint, anchored: 0 };
    });
    if (result.leader) result.anchored = await this.anchorPending(now);
    return result;
  }

  async #sequence(tx: Tx, now: Date, canonical: Awaited<ReturnType<typeof canonicalizer>>): Promise<number> {
    const size = await treeSize(tx);
    if (!this.#frontier || this.#frontier.size !== size) {
      // First tick, or another process sequenced since: resynchronize from the database.
      this.#frontier = await loadFrontier(tx, size);
      const [top] = await tx.select({ id: auditLeaves.eventId }).from(auditLeaves).orderBy(desc(auditLeaves.eventId)).limit(1);
      this.#maxSeen = top?.id ?? 0;
      this.#horizons = [];
    }
    for (const [id, firstSeen] of this.#gaps) if (now.getTime() - firstSeen > this.#options.gapWindowMs) this.#gaps.delete(id);
    const maxSeen = this.#maxSeen ?? 0;
    const window =
      this.#gaps.size > 0
        ? or(gt(auditEvents.id, maxSeen), and(inArray(auditEvents.id, [...this.#gaps.keys()]), unsequenced()))
        : gt(auditEvents.id, maxSeen);
    const events = await selectEventsJson(tx, window, this.#options.batchSize);
    await this.#append(tx, events, now, canonical);

    // Remember the ids this batch stepped over: each is a late commit still to come, or a rollback.
    const seenIds = new Set(events.map((e) => e.id));
    const top = Math.max(maxSeen, ...seenIds);
    for (const id of seenIds) this.#gaps.delete(id);
    for (let id = maxSeen + 1; id < top && this.#gaps.size < 10_000; id++) if (!seenIds.has(id)) this.#gaps.set(id, now.getTime());
    this.#maxSeen = top;

    const room = this.#options.batchSize - events.length;
    const sweepDue = now.getTime() - this.#lastSweep >= this.#options.sweepIntervalMs;
    return events.length + (room > 0 && sweepDue ? await this.#sweep(tx, now, canonical, room) : 0);
  }

  /**
   * Gives `events` (in this order) the next leaves, extends the stored tree and adds them to the daily
   * counts, all in the tick's transaction.
   */
  async #append(tx: Tx, events: EntryEvent[], now: Date, canonical: Awaited<ReturnType<typeof canonicalizer>>): Promise<void> {
    const frontier = this.#frontier;
    if (events.length === 0 || !frontier) return;
    const firstLeaf = frontier.size;
    const leaves: { leafIndex: number; eventId: number; leafHash: Buffer }[] = [];
    const nodes: CompletedNode[] = [];
    for (const event of events) {
      const hash = entryLeafHash(canonical, event);
      leaves.push({ leafIndex: frontier.size, eventId: event.id, leafHash: hash });
      frontier.append(hash, (node) => nodes.push(node));
    }
    try {
      // One jsonb parameter per table (see event-json.ts): binding thousands of rows through drizzle costs
      // the server more CPU than sequencing them.
      await tx.execute(sql`
        insert into audit_leaves (leaf_index, event_id, leaf_hash)
        select x.leaf_index, x.event_id, decode(x.leaf_hash, 'hex')
        from jsonb_to_recordset(${JSON.stringify(leaves.map((l) => ({ leaf_index: l.leafIndex, event_id: l.eventId, leaf_hash: l.leafHash.toString("hex") })))}::jsonb)
          as x(leaf_index bigint, event_id bigint, leaf_hash text)`);
      await writeNodes(tx, nodes, firstLeaf);
      await addDailyCounts(tx, events);
    } catch (error) {
      this.#frontier = undefined; // the in-memory tree ran ahead of a rolled-back write
      throw error;
    }
  }

  /**
   * The periodic sweep: sequences up to `limit` unsequenced events with ids between the stored mark and
   * the highest sequenced id (late commits the gap window let go), and, once none is left, moves the mark
   * up to just below the lowest id still missing that may yet commit (see the module comment).
   */
  async #sweep(tx: Tx, now: Date, canonical: Awaited<ReturnType<typeof canonicalizer>>, limit: number): Promise<number> {
    const maxSeen = this.#maxSeen ?? 0;
    const [state] = await tx
      .select({ sweptTo: auditSequencerState.sweptTo })
      .from(auditSequencerState)
      .where(eq(auditSequencerState.id, 1));
    const sweptTo = Math.min(state?.sweptTo ?? 0, maxSeen);
    // The writers first, then the events: a transaction that ends between the two is seen by the reads.
    const writers = await eventWriters(tx);
    const late = await selectEventsJson(tx, and(gt(auditEvents.id, sweptTo), lte(auditEvents.id, maxSeen), unsequenced()), limit);
    await this.#append(tx, late, now, canonical);
    for (const event of late) this.#gaps.delete(event.id);
    if (late.length === limit) return late.length; // more to sweep: the next tick goes on

    // Every id in (sweptTo, maxSeen] now has a leaf or is missing. A missing id at or below an earlier
    // sweep's maxSeen can never commit once none of that sweep's writers is still running.
    let settled = 0;
    for (const horizon of this.#horizons) {
      if (horizon.maxSeen > settled && !horizon.writers.some((w) => writers.has(w))) settled = horizon.maxSeen;
    }
    const from = Math.max(sweptTo, settled);
    // Ids at or below `settled` are done whatever they are; above it, the first missing one holds the mark.
    const missing = await firstMissingId(tx, from, maxSeen);
    const mark = missing !== null && missing > settled ? missing - 1 : maxSeen;
    if (mark > sweptTo) {
      await tx
        .insert(auditSequencerState)
        .values({ id: 1, sweptTo: mark })
        .onConflictDoUpdate({ target: auditSequencerState.id, set: { sweptTo: mark } });
    }
    this.#horizons = [...this.#horizons.filter((h) => h.maxSeen > settled), { maxSeen, writers: [...writers] }].slice(-8);
    this.#lastSweep = now.getTime();
    return late.length;
  }

  async #maybeCheckpoint(tx: Tx, signer: CheckpointSigner, size: number, now: Date, force: boolean): Promise<number | null> {
    const last = await latestCheckpoint(tx);
    if (size === 0 || (last && last.treeSize >= size)) return null;
    if (!force && last && now.getTime() - last.createdAt.getTime() < this.#options.checkpointIntervalMs) return null;
    const frontier = this.#frontier;
    if (!frontier) return null;
    const rootHash = frontier.root();
    const note = signer.sign(formatCheckpoint({ origin: signer.name, treeSize: size, rootHash }));
    await tx.insert(auditCheckpoints).values({ treeSize: size, rootHash, origin: signer.name, note, keyId: signer.keyId, createdAt: now });
    const everyCheckpoint = this.#options.sinks.filter((s) => !s.intervalMs);
    if (everyCheckpoint.length > 0) {
      await tx.insert(auditAnchors).values(everyCheckpoint.map((s) => ({ treeSize: size, sink: s.name, createdAt: now, updatedAt: now })));
    }
    return size;
  }

  /**
   * Queues the latest checkpoint for each interval sink whose interval has passed since its last anchor,
   * unless that one has not settled yet (then the retry, not a second transaction, carries on). Runs
   * every tick, so the tail of a quiet log is anchored at the next interval too, not only when events
   * arrive.
   */
  async #scheduleIntervalAnchors(tx: Tx, now: Date): Promise<void> {
    const sinks = this.#options.sinks.filter((s) => (s.intervalMs ?? 0) > 0);
    if (sinks.length === 0) return;
    const latest = await latestCheckpoint(tx);
    if (!latest) return;
    for (const sink of sinks) {
      const [last] = await tx
        .select({ treeSize: auditAnchors.treeSize, status: auditAnchors.status, createdAt: auditAnchors.createdAt })
        .from(auditAnchors)
        .where(eq(auditAnchors.sink, sink.name))
        .orderBy(desc(auditAnchors.treeSize))
        .limit(1);
      if (last && (last.status !== "confirmed" || last.treeSize >= latest.treeSize)) continue;
      if (last && now.getTime() - last.createdAt.getTime() < (sink.intervalMs ?? 0)) continue;
      await tx
        .insert(auditAnchors)
        .values({ treeSize: latest.treeSize, sink: sink.name, createdAt: now, updatedAt: now })
        .onConflictDoNothing();
    }
  }

  /**
   * Hands pending anchors, and failed ones whose backoff has passed, to their sinks; one process at a
   * time. `now` is the sequencer's clock (tests move it instead of waiting).
   */
  async anchorPending(now = new Date()): Promise<number> {
    if (this.#options.sinks.length === 0) return 0;
    const sinks = new Map(this.#options.sinks.map((s) => [s.name, s]));
    return this.#db.transaction(async (tx) => {
      const [lock] = rowsOf<{ locked: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${ANCHOR_LOCK}) as locked`));
      if (!lock?.locked) return 0;
      const due = await tx
        .select({ anchor: auditAnchors, checkpoint: auditCheckpoints })
        .from(auditAnchors)
        .innerJoin(auditCheckpoints, eq(auditCheckpoints.treeSize, auditAnchors.treeSize))
        .where(
          and(
            inArray(auditAnchors.sink, [...sinks.keys()]),
            ne(auditAnchors.status, "confirmed"),
            or(eq(auditAnchors.status, "pending"), isNull(auditAnchors.nextAttemptAt), lte(auditAnchors.nextAttemptAt, now)),
          ),
        )
        .orderBy(asc(auditAnchors.treeSize))
        .limit(20);
      let confirmed = 0;
      for (const { anchor, checkpoint } of due) {
        const sink = sinks.get(anchor.sink);
        if (!sink) continue;
        const where = and(eq(auditAnchors.treeSize, anchor.treeSize), eq(auditAnchors.sink, anchor.sink));
        const progress: AnchorProgress = {
          status: anchor.status,
          reference: anchor.reference,
          submittedAt: anchor.submittedAt,
          blockNumber: anchor.blockNumber,
          attempts: anchor.attempts,
        };
        try {
          const result = await sink.anchor(checkpoint, progress, now);
          // A new reference is a new attempt (a write, a post, a transaction sent); following one is not.
          const attempted = result.reference !== anchor.reference || anchor.status === "failed";
          await tx
            .update(auditAnchors)
            .set({
              status: result.status,
              reference: result.reference,
              blockNumber: result.blockNumber ?? null,
              submittedAt: result.status === "pending" && result.submittedAt ? result.submittedAt : anchor.submittedAt,
              attempts: attempted ? anchor.attempts + 1 : anchor.attempts,
              lastError: null,
              nextAttemptAt: null,
              updatedAt: now,
            })
            .where(where);
          if (result.status === "confirmed") confirmed++;
        } catch (error) {
          this.#log.warn({ err: error, sink: anchor.sink, treeSize: anchor.treeSize }, "audit anchor failed; it will be retried");
          const attempts = anchor.attempts + 1;
          await tx
            .update(auditAnchors)
            .set({
              status: "failed",
              attempts,
              lastError: (error as Error).message.slice(0, 500),
              nextAttemptAt: new Date(now.getTime() + anchorRetryDelayMs(attempts)),
              updatedAt: now,
            })
            .where(where);
        }
      }
      return confirmed;
    });
  }
}
