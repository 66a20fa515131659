// Reading archived events back for a verification (archive.ts writes them): the files audit_archives lists,
// each read once, in leaf order, as the verification walks the leaves; every entry is hashed as written
// (re-canonicalized only when that does not match its leaf). A file that is gone or unreadable is reported
// at its first leaf, one whose bytes changed is named in the summary, and an entry that no longer hashes to
// its leaf is found by the tree rebuild like an altered row.
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { asc } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { auditArchives, type AuditArchiveRow } from "@/lib/db/schema";
import { leafDigestOfText, type Canonicalize } from "./entry";
import type { LeafRow } from "./verify-leaf-row";
import type { ArchiveSummary, Problem } from "./verify-report";

const gunzip = promisify(zlib.gunzip);

/** One line of an archive file, parsed. */
interface ArchivedLine {
  leafIndex: number;
  eventId: number;
  /** occurred_at in epoch milliseconds (NaN when it is not a time). */
  occurredAtMs: number;
  entry: object;
  /** The entry's text as the line holds it; null when the line is not in the form archive.ts writes. */
  entryText: string | null;
  /** The archive file it is in. */
  file: string;
}

/** An archive file read into memory, and the entry it is at. */
interface Cursor {
  row: AuditArchiveRow;
  lines: string[];
  position: number;
  current: ArchivedLine | null;
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
  readonly #unavailable: string | null;
  readonly #strays: string[];
  readonly #active: Cursor[] = [];
  /** Files whose SHA-256 differs, with whether an entry of theirs failed to hash to its leaf. */
  readonly #rewritten = new Map<string, boolean>();
  #next = 0;
  #read = 0;
  #filesRead = 0;
  /** The files whose leaf range covers the leaf last asked about (#coveringFile), and the next to consider. */
  #covering: AuditArchiveRow[] = [];
  #coverNext = 0;

  private constructor(
    rows: AuditArchiveRow[],
    dir: string | null,
    unavailable: string | null,
    strays: string[],
    canonical: Canonicalize,
    report: (problem: Problem) => void,
  ) {
    this.#rows = rows;
    this.#dir = dir;
    this.#unavailable = unavailable;
    this.#strays = strays;
    this.#canonical = canonical;
    this.#report = report;
  }

  /**
   * The archives audit_archives lists, to be read from `dir`. With no directory, or one that does not exist
   * (a setting, not the log, is then wrong), none is read: the summary says so and the leaves they cover are
   * taken as stored, so the verification is incomplete rather than failed.
   */
  static async open(db: Db, dir: string | null, canonical: Canonicalize, report: (problem: Problem) => void): Promise<ArchiveReader> {
    const rows = await db.select().from(auditArchives).orderBy(asc(auditArchives.firstLeaf), asc(auditArchives.id));
    let unavailable: string | null = null;
    let strays: string[] = [];
    if (!dir) {
      if (rows.length > 0) unavailable = "no archive directory was given";
    } else {
      try {
        const listed = new Set(rows.map((r) => r.file));
        strays = (await fs.readdir(dir)).filter((name) => ARCHIVE_NAME.test(name) && !listed.has(name)).sort();
      } catch (error) {
        if (rows.length > 0)
          unavailable = `the archive directory ${dir} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      }
    }
    return new ArchiveReader(rows, dir, unavailable, strays, canonical, report);
  }

  get summary(): ArchiveSummary {
    return {
      files: this.#rows.length,
      filesRead: this.#filesRead,
      events: this.#rows.reduce((n, r) => n + r.events, 0),
      read: this.#read,
      unavailable: this.#unavailable,
      rewritten: [...this.#rewritten].filter(([, failed]) => !failed).map(([file]) => file),
      strays: this.#strays,
    };
  }

  /**
   * Gives every leaf of the page whose event row is gone its archived event, if an archive holds it (its
   * id, time and recomputed leaf hash), and names the archive whose range covers a leaf that none holds.
   */
  async fill(page: LeafRow[]): Promise<void> {
    if (this.#rows.length === 0) return;
    for (const leaf of page) {
      if (leaf.event) continue;
      if (this.#unavailable) {
        // Unread archives: the stored leaf hash is all there is (see open()).
        if (this.#coveringFile(leaf.leafIndex)) leaf.event = { id: leaf.eventId, occurredAtMs: Number.NaN, digest: leaf.leafHash };
        continue;
      }
      const line = await this.#take(leaf.leafIndex);
      if (line) {
        // The entry's text as written hashes to the leaf: it is the logged entry, byte for byte. Otherwise
        // the entry is canonicalized in full (a line rewritten in another JSON form may still say the same).
        const asWritten = line.entryText === null ? null : leafDigestOfText(line.entryText);
        const digest = asWritten === leaf.leafHash ? asWritten : leafDigestOfText(this.#canonical(line.entry));
        leaf.event = { id: line.eventId, occurredAtMs: line.occurredAtMs, digest };
        this.#read++;
        if (digest !== leaf.leafHash && this.#rewritten.has(line.file)) this.#rewritten.set(line.file, true);
      } else {
        leaf.archive = this.#coveringFile(leaf.leafIndex);
      }
    }
  }

  /** A file whose leaf range covers this leaf (leaves asked in order, so each file is considered once). */
  #coveringFile(leafIndex: number): string | undefined {
    while (this.#coverNext < this.#rows.length && (this.#rows[this.#coverNext] as AuditArchiveRow).firstLeaf <= leafIndex) {
      this.#covering.push(this.#rows[this.#coverNext++] as AuditArchiveRow);
    }
    if (this.#covering.some((r) => r.lastLeaf < leafIndex)) this.#covering = this.#covering.filter((r) => r.lastLeaf >= leafIndex);
    return this.#covering[0]?.file;
  }

  /** Opens the files no leaf reached yet, so each listed file is read (and one that is gone reported). */
  async close(): Promise<void> {
    if (!this.#unavailable) await this.#take(Number.MAX_SAFE_INTEGER);
  }

  /** The archived line of this leaf, if one holds it; every line of a lower leaf is passed over. */
  async #take(leafIndex: number): Promise<ArchivedLine | null> {
    while (this.#next < this.#rows.length && (this.#rows[this.#next] as AuditArchiveRow).firstLeaf <= leafIndex) {
      const cursor = await this.#openCursor(this.#rows[this.#next++] as AuditArchiveRow);
      if (cursor) this.#active.push(cursor);
    }
    let found: ArchivedLine | null = null;
    for (const cursor of [...this.#active]) {
      while (cursor.current && cursor.current.leafIndex < leafIndex) this.#advance(cursor);
      if (cursor.current?.leafIndex === leafIndex) {
        found ??= cursor.current;
        this.#advance(cursor);
      }
      if (!cursor.current) this.#active.splice(this.#active.indexOf(cursor), 1);
    }
    return found;
  }

  /**
   * Reads a file whole (at most `batch` events, some tens of MB unpacked), checks its bytes against the
   * SHA-256 recorded when it was written, and positions a cursor on its first entry.
   */
  async #openCursor(row: AuditArchiveRow): Promise<Cursor | null> {
    const where = `archive ${row.file} (leaves ${row.firstLeaf}..${row.lastLeaf}, ${row.events} events)`;
    let text: string;
    try {
      const bytes = await fs.readFile(path.join(this.#dir ?? "", row.file));
      // Bytes other than those written are not in themselves a change to the log (a backup tool may have
      // recompressed the file): every entry is still checked against its leaf, and the file is named in
      // the summary if none fails (a failing one is reported at its leaf).
      if (!crypto.hash("sha256", bytes, "buffer").equals(row.sha256)) this.#rewritten.set(row.file, false);
      text = (await gunzip(bytes)).toString("utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.#report({
        kind: code === "ENOENT" ? "missing" : "altered",
        leafIndex: row.firstLeaf,
        message: code === "ENOENT" ? `${where} is not in ${this.#dir}` : `${where} cannot be read: ${(error as Error).message}`,
      });
      return null;
    }
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    if (lines.length !== row.events) {
      this.#report({
        kind: lines.length < row.events ? "missing" : "altered",
        leafIndex: row.firstLeaf,
        message: `${where} holds ${lines.length} entries where ${row.events} were written`,
      });
    }
    this.#filesRead++;
    const cursor: Cursor = { row, lines, position: 0, current: null };
    this.#advance(cursor);
    return cursor;
  }

  /** Moves the cursor to its next entry (null at the end), reporting a line that is not one. */
  #advance(cursor: Cursor): void {
    cursor.current = null;
    while (cursor.position < cursor.lines.length) {
      const text = cursor.lines[cursor.position++] as string;
      const line = parseLine(text, cursor.row.file);
      if (line) {
        cursor.current = line;
        return;
      }
      this.#report({
        kind: "altered",
        leafIndex: cursor.row.firstLeaf,
        message: `archive ${cursor.row.file}: line ${cursor.position} is not an archived log entry`,
      });
    }
  }
}

/** The names archive.ts gives its files. */
const ARCHIVE_NAME = /^audit-leaves-\d+-\d+-[0-9a-f]{8}\.jsonl\.gz$/;
const ENTRY_START = '{"entry":';
const ENTRY_END = ',"leaf_hash":"';

/**
 * One archive line: its leaf index, the event's id and time, and the entry's text as the line holds it
 * (archive.ts writes the RFC 8785 text itself between `{"entry":` and `,"leaf_hash":"`), or null when the
 * line is not JSON of that shape.
 */
function parseLine(text: string, file: string): ArchivedLine | null {
  let line: { entry?: { id?: unknown; occurred_at?: unknown }; leaf_index?: unknown };
  try {
    line = JSON.parse(text) as typeof line;
  } catch {
    return null;
  }
  const entry = line.entry;
  if (!entry || typeof entry !== "object" || typeof line.leaf_index !== "number" || typeof entry.id !== "number") return null;
  const end = text.lastIndexOf(ENTRY_END);
  return {
    leafIndex: line.leaf_index,
    eventId: entry.id,
    occurredAtMs: typeof entry.occurred_at === "string" ? Date.parse(entry.occurred_at) : Number.NaN,
    entry,
    entryText: text.startsWith(ENTRY_START) && end > ENTRY_START.length ? text.slice(ENTRY_START.length, end) : null,
    file,
  };
}
