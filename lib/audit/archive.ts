// Moving events past their retention out of the database (retention.ts). Their bodies go to archive files
// and leave audit_events; their leaves (audit_leaves) and the tree's nodes stay, so every signed
// checkpoint, anchor and inclusion proof keeps verifying, and `audit:verify` reads the bodies back from
// the files (archive-read.ts) and hashes them like the rows they were.
//
// An archive file, `audit-leaves-<first>-<last>-<random>.jsonl.gz`, is gzip-compressed JSONL, sorted by leaf index, one line per event:
//
//   {"entry":<the log entry, RFC 8785 text>,"leaf_hash":"<hex>","leaf_index":<n>}
//
// `entry` is exactly the text whose SHA-256(0x00 ‖ entry) is the leaf hash (entry.ts), so anyone can check
// a line on its own (`zcat file | jq`). A file holds up to `batch` events of consecutive leaves, skipping
// those of another retention class. It is written to a temporary name, flushed to disk and renamed, then
// listed in audit_archives in the same transaction that deletes its events: a crash before the commit
// (a crash between rename and commit; a failed commit removes its file) leaves a file no row names (a
// stray, safe to delete: its events are still in the database) and never
// events in neither. Verification reads only the files audit_archives lists. Names carry a random part, so
// two logs archiving into one directory by mistake do not overwrite each other's files.
// An event that no longer hashes to its leaf is not archived (that would move the evidence of a
// tampering out of sight): it stays, the run logs it, and audit:verify reports it.
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { sql, type SQL } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db } from "@/lib/db/client";
import { logger as defaultLogger } from "@/lib/logger";
import { canonicalEntry, canonicalizer, leafDigestOfText, toLogEntry } from "./entry";
import { eventFromJson, eventJsonArray, type EventJson } from "./event-json";
import { toDigest } from "./merkle";
import { retentionCutoff, type Retention } from "@/lib/core/retention";
import { rowsOf } from "./tree-store";

const gzip = promisify(zlib.gzip);
const ARCHIVE_LOCK = 0x4c4b_4152; // "LKAR"
/** Expired events read per query, and hashed between two yields to the event loop. */
const PAGE = 5000;
const YIELD_EVERY = 500;

/** The actions of reads, which LATCHKEY_AUDIT_READ_RETENTION may keep for a shorter class when they succeeded. */
export const readActions = ["secret.read", "oauth.token_read"] as const;

/** Where archives go and what is past retention. */
export interface ArchiveSettings {
  /** The archive directory (LATCHKEY_AUDIT_ARCHIVE_DIR; default `<data dir>/audit-archive`). */
  dir: string;
  /** Every event's class. */
  retention: Retention;
  /** The class of successful reads (readActions); failed and denied reads keep `retention`. */
  readRetention: Retention;
}

export interface ArchiveOptions extends ArchiveSettings {
  /** The clock (default: now). */
  now?: Date;
  /** Events per file (default 50,000). */
  batch?: number;
  /** Events read per query while a file is filled (default 5,000). */
  page?: number;
  logger?: Logger;
  /** Called with the events archived so far, after each file. */
  onProgress?: (events: number) => void;
  /** Stops the run between files (the server is shutting down). */
  signal?: AbortSignal;
}

/** The archive directory cannot be made or written: says which, why, and that the events stayed. */
export class ArchiveDirectoryError extends Error {
  constructor(dir: string, cause: unknown, events: number) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === "ENOSPC"
        ? "the disk is full"
        : code === "EROFS"
          ? "the file system is read-only"
          : code === "EACCES" || code === "EPERM"
            ? "permission denied"
            : code === "EEXIST" || code === "ENOTDIR"
              ? "a file is in the way of the directory"
              : code === "ENOENT"
                ? "a directory above it cannot be made"
                : (cause as Error).message;
    super(
      `Cannot write audit archives to ${dir} (LATCHKEY_AUDIT_ARCHIVE_DIR): ${why}. ` +
        (events > 0 ? `The ${events} events of this file are still in the database.` : "Nothing was moved."),
      { cause },
    );
    this.name = "ArchiveDirectoryError";
  }
}

/** One archive file written. */
export interface ArchivedFile {
  file: string;
  firstLeaf: number;
  lastLeaf: number;
  events: number;
  bytes: number;
}

export interface ArchiveResult {
  files: ArchivedFile[];
  /** Events moved to the files. */
  events: number;
  /** Events past retention left in place because they no longer hash to their leaf. */
  refused: number;
  /** False when another process was archiving: this run did nothing. */
  ran: boolean;
}

/**
 * Moves every sequenced event past its retention at `now` to archive files (see the top of this file), in
 * files of up to `batch` events, oldest leaves first. Only one process archives at a time (an advisory
 * lock); a run that finds it taken does nothing. Idempotent: a second run at the same time moves nothing.
 * @throws on a file system or database error (what was committed before stays; the rest is untouched)
 */
export async function archiveExpired(db: Db, options: ArchiveOptions): Promise<ArchiveResult> {
  const log = options.logger ?? defaultLogger;
  const now = options.now ?? new Date();
  const batch = options.batch ?? 50_000;
  const cutoff = retentionCutoff(options.retention, now);
  const readCutoff = retentionCutoff(options.readRetention, now);
  const result: ArchiveResult = { files: [], events: 0, refused: 0, ran: true };
  await fs.mkdir(options.dir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw new ArchiveDirectoryError(options.dir, error, 0);
  });
  let after = -1;
  for (;;) {
    // The file this step wrote: removed if the transaction that lists it and deletes its events does not commit.
    let written: string | null = null;
    const step = await db
      .transaction(async (tx) => {
        const [lock] = rowsOf<{ locked: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${ARCHIVE_LOCK}) as locked`));
        if (!lock?.locked) return null;
        // Read in pages and hashed in slices, yielding between them, so a server archiving beside its
        // requests is not held up for long at a time.
        const collected: Awaited<ReturnType<typeof entryLines>> = { lines: [], ids: [], refused: 0, lastOccurredAt: new Date(0) };
        let read = 0;
        let more = true;
        while (more && read < batch) {
          const limit = Math.min(options.page ?? PAGE, batch - read);
          const items = await expiredPage(tx as unknown as Db, expired(cutoff, readCutoff), after, limit);
          more = items.length === limit;
          if (items.length === 0) break;
          read += items.length;
          after = Number((items.at(-1) as (typeof items)[number])[0]);
          const part = await entryLines(items, log);
          collected.lines.push(...part.lines);
          collected.ids.push(...part.ids);
          collected.refused += part.refused;
          if (part.lastOccurredAt > collected.lastOccurredAt) collected.lastOccurredAt = part.lastOccurredAt;
        }
        const { lines, ids, refused, lastOccurredAt } = collected;
        if (ids.length === 0) return { done: !more, archived: null, refused };
        const archived = await writeArchive(tx as unknown as Db, options.dir, lines, lastOccurredAt, (file) => (written = file));
        await tx.execute(
          sql`delete from audit_event_rows where id in (select value::bigint from json_array_elements_text(${JSON.stringify(ids)}::json))`,
        );
        return { done: !more, archived, refused };
      })
      .catch(async (error: unknown) => {
        if (written) await fs.rm(written, { force: true });
        throw error;
      });
    if (!step) return { ...result, ran: result.events > 0 };
    result.refused += step.refused;
    if (step.archived) {
      result.files.push(step.archived);
      result.events += step.archived.events;
      log.info(
        { file: step.archived.file, events: step.archived.events, bytes: step.archived.bytes },
        "audit events past retention archived",
      );
      options.onProgress?.(result.events);
    }
    if (step.done || options.signal?.aborted) return result;
  }
}

/** Up to `limit` expired events (`where`, over `e`) with their leaves, above leaf `after`, in leaf order. */
async function expiredPage(db: Db, where: SQL, after: number, limit: number) {
  const page = await db.execute(sql`
    select coalesce(json_agg(json_build_array(x.leaf_index, encode(x.leaf_hash, 'hex'), x.event) order by x.leaf_index), '[]')::text as page
    from (
      select l.leaf_index, l.leaf_hash, ${eventJsonArray} as event
      from audit_events e join audit_leaves l on l.event_id = e.id
      where ${where} and l.leaf_index > ${after}
      order by l.leaf_index limit ${limit}
    ) x`);
  const [row] = rowsOf<{ page: string }>(page);
  return JSON.parse(row?.page ?? "[]") as [leafIndex: number, leafHashHex: string, event: EventJson][];
}

/**
 * How many sequenced events are past retention at `now`, how many of them successful reads, and the oldest
 * one's time: what a run would move.
 */
export async function countExpired(db: Db, settings: Pick<ArchiveSettings, "retention" | "readRetention">, now = new Date()) {
  const result = await db.execute(sql`
    select count(*)::int as events, count(*) filter (where ${isRead})::int as reads, min(e.occurred_at)::text as oldest
    from audit_events e join audit_leaves l on l.event_id = e.id
    where ${expired(retentionCutoff(settings.retention, now), retentionCutoff(settings.readRetention, now))}`);
  const [row] = rowsOf<{ events: number; reads: number; oldest: string | null }>(result);
  return { events: Number(row?.events ?? 0), reads: Number(row?.reads ?? 0), oldest: row?.oldest ? new Date(row.oldest) : null };
}

/** A successful read (alias `e`): the events LATCHKEY_AUDIT_READ_RETENTION applies to. */
const isRead = sql`(e.outcome = 'success' and e.action in (${sql.join(
  readActions.map((a) => sql`${a}`),
  sql`, `,
)}))`;

/**
 * The events (alias `e`) past retention: successful reads older than the reads' cutoff, every other event
 * older than the main one (either class may be the longer). The first condition, on the later of the two
 * cutoffs, lets the BRIN index on occurred_at skip the ranges of recent events.
 */
function expired(cutoff: Date, readCutoff: Date) {
  const latest = cutoff > readCutoff ? cutoff : readCutoff;
  return sql`e.occurred_at < ${latest.toISOString()}::timestamptz
    and ((not ${isRead} and e.occurred_at < ${cutoff.toISOString()}::timestamptz)
      or (${isRead} and e.occurred_at < ${readCutoff.toISOString()}::timestamptz))`;
}

/** The archive lines of a page of expired events (leaf order), with the ids of those that still hash to their leaf. */
async function entryLines(items: [leafIndex: number, leafHashHex: string, event: EventJson][], log: Logger) {
  const canonical = await canonicalizer();
  const lines: { leafIndex: number; text: string }[] = [];
  const ids: number[] = [];
  let refused = 0;
  let lastOccurredAt = new Date(0);
  for (const [n, [leafIndex, leafHashHex, json]] of items.entries()) {
    if (n > 0 && n % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    const event = eventFromJson(json);
    const entry = canonicalEntry(event) ?? canonical(toLogEntry(event));
    if (leafDigestOfText(entry) !== toDigest(Buffer.from(leafHashHex, "hex"))) {
      refused++;
      log.error(
        { eventId: event.id, leafIndex },
        "audit event past retention no longer hashes to its leaf: left in the database; run audit:verify",
      );
      continue;
    }
    lines.push({ leafIndex, text: `{"entry":${entry},"leaf_hash":"${leafHashHex}","leaf_index":${leafIndex}}\n` });
    ids.push(event.id);
    if (event.occurredAt > lastOccurredAt) lastOccurredAt = event.occurredAt;
  }
  return { lines, ids, refused, lastOccurredAt };
}

/** Writes one archive file (temporary name, fsync, rename, fsync of the directory) and lists it in audit_archives. */
async function writeArchive(
  tx: Db,
  dir: string,
  lines: { leafIndex: number; text: string }[],
  lastOccurredAt: Date,
  onWritten: (file: string) => void,
): Promise<ArchivedFile> {
  const firstLeaf = (lines[0] as (typeof lines)[number]).leafIndex;
  const lastLeaf = (lines.at(-1) as (typeof lines)[number]).leafIndex;
  const file = `audit-leaves-${firstLeaf}-${lastLeaf}-${crypto.randomBytes(4).toString("hex")}.jsonl.gz`;
  const bytes = await gzip(Buffer.from(lines.map((l) => l.text).join(""), "utf8"));
  const target = path.join(dir, file);
  const temporary = `${target}.tmp`;
  try {
    const handle = await fs.open(temporary, "w", 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw new ArchiveDirectoryError(dir, error, lines.length);
  }
  onWritten(target);
  await syncDirectory(dir);
  await tx.execute(sql`
    insert into audit_archives (file, first_leaf, last_leaf, events, sha256, bytes, last_occurred_at)
    values (${file}, ${firstLeaf}, ${lastLeaf}, ${lines.length},
      decode(${crypto.hash("sha256", bytes, "hex")}, 'hex'), ${bytes.length}, ${lastOccurredAt.toISOString()}::timestamptz)`);
  return { file, firstLeaf, lastLeaf, events: lines.length, bytes: bytes.length };
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } catch {
    // Some file systems do not sync a directory; the rename is then as durable as they make it.
  } finally {
    await handle.close();
  }
}

/**
 * Archiving passes run beside the sequencer's ticks: at most one at a time, at most once per interval (the
 * first when the sequencer first ticks), stopped between files by stop(). Errors are logged and the pass
 * retried at the next interval.
 */
export class ArchiveSchedule {
  #last = Number.NEGATIVE_INFINITY;
  #running: Promise<void> | undefined;
  #stopping = new AbortController();

  constructor(
    /** Between passes; 0 turns archiving off. */
    private readonly intervalMs: number,
    private readonly run: (now: Date, signal: AbortSignal) => Promise<unknown>,
    private readonly log: Logger = defaultLogger,
  ) {}

  /** Starts a pass when one is due and none runs. @returns the pass, or undefined when none was started */
  ifDue(now: Date): Promise<void> | undefined {
    if (this.intervalMs <= 0 || this.#running || now.getTime() - this.#last < this.intervalMs) return undefined;
    this.#last = now.getTime();
    if (this.#stopping.signal.aborted) this.#stopping = new AbortController();
    const pass = this.run(now, this.#stopping.signal).then(
      () => {},
      (error: unknown) => this.log.error({ err: error }, "archiving audit events past retention failed; retrying at the next interval"),
    );
    this.#running = pass.finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Stops the running pass after its current file. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#running;
  }
}
