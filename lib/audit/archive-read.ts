// Reading archived events back for a verification (archive.ts writes them): the files audit_archives lists,
// each streamed once in leaf order as the verification walks the leaves, every entry re-canonicalized and
// hashed like an event row. A file that is gone, unreadable or not the bytes that were written is reported;
// an entry that no longer hashes to its leaf is found by the tree rebuild like an altered row.
import crypto from "node:crypto";
import { createReadStream } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import zlib from "node:zlib";
import { asc } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { auditArchives, type AuditArchiveRow } from "@/lib/db/schema";
import { leafDigestOfText, type Canonicalize } from "./entry";
import type { LeafRow } from "./verify-leaf-row";
import type { ArchiveSummary, Problem } from "./verify-report";

/** One line of an archive file, parsed. */
interface ArchivedLine {
  leafIndex: number;
  eventId: number;
  occurredAtMs: number;
  digest: string;
}

/** An open archive file, read line by line. */
interface Cursor {
  row: AuditArchiveRow;
  lines: AsyncIterator<string> | null;
  current: ArchivedLine | null;
  hash: crypto.Hash;
  read: number;
}

/**
 * The archives of a log, read in leaf order: `fill` gives each leaf of a page whose event row is gone the
 * event its archive holds. Pages must come in leaf order (as verifyLog reads them); each file is read once.
 */
export class ArchiveReader {
  readonly #canonical: Canonicalize;
  readonly #dir: string | null;
  readonly #report: (problem: Problem) => void;
  readonly #rows: AuditArchiveRow[];
  readonly #active: Cursor[] = [];
  #next = 0;
  #read = 0;

  private constructor(rows: AuditArchiveRow[], dir: string | null, canonical: Canonicalize, report: (problem: Problem) => void) {
    this.#rows = rows;
    this.#dir = dir;
    this.#canonical = canonical;
    this.#report = report;
  }

  /** The archives audit_archives lists, to be read from `dir` (null: none given, so each listed file is reported unread). */
  static async open(db: Db, dir: string | null, canonical: Canonicalize, report: (problem: Problem) => void): Promise<ArchiveReader> {
    const rows = await db.select().from(auditArchives).orderBy(asc(auditArchives.firstLeaf), asc(auditArchives.id));
    return new ArchiveReader(rows, dir, canonical, report);
  }

  get summary(): ArchiveSummary {
    return { files: this.#rows.length, events: this.#rows.reduce((n, r) => n + r.events, 0), read: this.#read };
  }

  /**
   * Gives every leaf of the page whose event row is gone its archived event, if an archive holds it (its
   * id, time and recomputed leaf hash), and names the archive whose range covers a leaf that none holds.
   */
  async fill(page: LeafRow[]): Promise<void> {
    if (this.#rows.length === 0) return;
    for (const leaf of page) {
      if (leaf.event) continue;
      const line = await this.#take(leaf.leafIndex);
      if (line) {
        leaf.event = { id: line.eventId, occurredAtMs: line.occurredAtMs, digest: line.digest };
        this.#read++;
      } else {
        leaf.archive = this.#rows.find((r) => r.firstLeaf <= leaf.leafIndex && leaf.leafIndex <= r.lastLeaf)?.file;
      }
    }
  }

  /** Reads every file to its end (checking what is left of each against its recorded SHA-256). */
  async close(): Promise<void> {
    await this.#take(Number.MAX_SAFE_INTEGER);
  }

  /** The archived line of this leaf, if one holds it; every line of a lower leaf is passed over. */
  async #take(leafIndex: number): Promise<ArchivedLine | null> {
    while (this.#next < this.#rows.length && (this.#rows[this.#next] as AuditArchiveRow).firstLeaf <= leafIndex) {
      const cursor = await this.#openCursor(this.#rows[this.#next++] as AuditArchiveRow);
      if (cursor) this.#active.push(cursor);
    }
    let found: ArchivedLine | null = null;
    for (const cursor of [...this.#active]) {
      while (cursor.current && cursor.current.leafIndex < leafIndex) await this.#advance(cursor);
      if (cursor.current?.leafIndex === leafIndex) {
        found ??= cursor.current;
        await this.#advance(cursor);
      }
      if (!cursor.current) this.#active.splice(this.#active.indexOf(cursor), 1);
    }
    return found;
  }

  async #openCursor(row: AuditArchiveRow): Promise<Cursor | null> {
    const where = `archive ${row.file} (leaves ${row.firstLeaf}..${row.lastLeaf}, ${row.events} events)`;
    if (!this.#dir) {
      this.#report({ kind: "missing", leafIndex: row.firstLeaf, message: `${where} was not read: no archive directory was given` });
      return null;
    }
    const file = path.join(this.#dir, row.file);
    const hash = crypto.createHash("sha256");
    const raw = createReadStream(file);
    raw.on("data", (chunk) => hash.update(chunk));
    const gunzip = raw.pipe(zlib.createGunzip());
    // Errors surface through the line iterator; these listeners only keep them from going unhandled.
    raw.on("error", (error) => gunzip.destroy(error));
    const cursor: Cursor = {
      row,
      lines: readline.createInterface({ input: gunzip, crlfDelay: Infinity })[Symbol.asyncIterator](),
      current: null,
      hash,
      read: 0,
    };
    await this.#advance(cursor);
    return cursor;
  }

  /** The cursor's next line, parsed and hashed; at the end of the file, its bytes checked. */
  async #advance(cursor: Cursor): Promise<void> {
    const where = `archive ${cursor.row.file}`;
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = cursor.lines ? await cursor.lines.next() : { done: true, value: undefined };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        this.#report({
          kind: code === "ENOENT" ? "missing" : "altered",
          leafIndex: cursor.current?.leafIndex ?? cursor.row.firstLeaf,
          message:
            code === "ENOENT"
              ? `${where} (leaves ${cursor.row.firstLeaf}..${cursor.row.lastLeaf}, ${cursor.row.events} events) is not in ${this.#dir}`
              : `${where} cannot be read after ${cursor.read} entries: ${(error as Error).message}`,
        });
        cursor.lines = null;
        cursor.current = null;
        return;
      }
      if (next.done) {
        if (cursor.lines && cursor.read === cursor.row.events && !cursor.hash.digest().equals(cursor.row.sha256)) {
          this.#report({
            kind: "altered",
            leafIndex: cursor.row.firstLeaf,
            message: `${where} is not the file that was written: its SHA-256 differs`,
          });
        } else if (cursor.lines && cursor.read !== cursor.row.events) {
          this.#report({
            kind: cursor.read < cursor.row.events ? "missing" : "altered",
            leafIndex: cursor.row.firstLeaf,
            message: `${where} holds ${cursor.read} entries where ${cursor.row.events} were written`,
          });
        }
        cursor.lines = null;
        cursor.current = null;
        return;
      }
      if (next.value === "") continue;
      cursor.read++;
      const line = this.#parse(next.value);
      if (!line) {
        this.#report({
          kind: "altered",
          leafIndex: cursor.row.firstLeaf,
          message: `${where}: entry ${cursor.read} is not an archived log entry`,
        });
        continue;
      }
      cursor.current = line;
      return;
    }
  }

  #parse(text: string): ArchivedLine | null {
    try {
      const line = JSON.parse(text) as { entry?: { id?: unknown; occurred_at?: unknown }; leaf_index?: unknown };
      const entry = line.entry;
      if (!entry || typeof entry !== "object" || typeof line.leaf_index !== "number" || typeof entry.id !== "number") return null;
      const occurredAtMs = typeof entry.occurred_at === "string" ? Date.parse(entry.occurred_at) : Number.NaN;
      return { leafIndex: line.leaf_index, eventId: entry.id, occurredAtMs, digest: leafDigestOfText(this.#canonical(entry)) };
    } catch {
      return null;
    }
  }
}
