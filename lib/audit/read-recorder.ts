// Audit events for reads, batched off the request path: a read queues its event and returns; a flush
// writes the queued events and the secrets' "last read" times in one transaction, every second or
// whenever enough have queued.
import { inArray, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { secrets } from "@/lib/db/schema";
import { logger } from "@/lib/logger";
import { appendAuditEvents, type AuditAppender, type AuditEventInput } from "./events";

export interface ReadRecord {
  secretId: string | null;
  event: AuditEventInput;
}

export interface ReadRecorderOptions {
  flushIntervalMs?: number;
  /** Queue length that triggers an immediate flush. */
  batchSize?: number;
  /** Queue length past which the oldest events are dropped (and the drop logged) while the database is down. */
  maxQueued?: number;
  appendAudit?: AuditAppender;
}

export class ReadRecorder {
  #queue: ReadRecord[] = [];
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #intervalMs: number;
  readonly #batchSize: number;
  readonly #maxQueued: number;
  readonly #append: AuditAppender;

  constructor(
    private readonly db: Db,
    options: ReadRecorderOptions = {},
  ) {
    this.#intervalMs = options.flushIntervalMs ?? 1000;
    this.#batchSize = options.batchSize ?? 500;
    this.#maxQueued = options.maxQueued ?? 100_000;
    this.#append = options.appendAudit ?? appendAuditEvents;
  }

  get pending(): number {
    return this.#queue.length;
  }

  record(entry: ReadRecord): void {
    this.#queue.push({ ...entry, event: { ...entry.event, occurredAt: entry.event.occurredAt ?? new Date() } });
    if (this.#queue.length > this.#maxQueued) {
      const dropped = this.#queue.splice(0, this.#queue.length - this.#maxQueued);
      logger.error({ dropped: dropped.length }, "read audit queue overflowed; oldest read events dropped");
    }
    if (this.#queue.length >= this.#batchSize) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#intervalMs).unref();
  }

  /** Writes everything queued so far. Safe to call concurrently; resolves when the queue is written. */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#flushing) await this.#flushing;
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#flushing = this.#write(batch)
      .catch((error: unknown) => {
        // Keep the events for the next flush rather than lose them.
        this.#queue = batch.concat(this.#queue);
        logger.error({ err: error, queued: this.#queue.length }, "read audit flush failed; will retry");
        this.#timer ??= setTimeout(() => void this.flush(), this.#intervalMs).unref();
      })
      .finally(() => {
        this.#flushing = undefined;
      });
    await this.#flushing;
  }

  async #write(batch: ReadRecord[]): Promise<void> {
    const lastRead = new Map<string, Date>();
    for (const { secretId, event } of batch) {
      if (!secretId || event.details?.found === false) continue;
      const at = event.occurredAt ?? new Date();
      const seen = lastRead.get(secretId);
      if (!seen || seen < at) lastRead.set(secretId, at);
    }
    await this.db.transaction(async (tx) => {
      await this.#append(
        tx,
        batch.map((r) => r.event),
      );
      if (lastRead.size === 0) return;
      const cases = sql.join(
        [...lastRead].map(([id, at]) => sql`when ${secrets.id} = ${id} then ${at.toISOString()}::timestamptz`),
        sql` `,
      );
      await tx
        .update(secrets)
        .set({ lastReadAt: sql`greatest(${secrets.lastReadAt}, case ${cases} end)` })
        .where(inArray(secrets.id, [...lastRead.keys()]));
    });
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
