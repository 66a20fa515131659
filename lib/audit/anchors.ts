// Anchor sinks: places outside the database that signed checkpoints are handed to, so rewriting the
// database (checkpoints included) still disagrees with a copy the attacker does not control. The file
// sink appends to .data/anchors.jsonl; the witness sink POSTs the checkpoint to an HTTP witness; the
// chain sink (chain.ts) publishes it in a transaction on an EVM chain. Each sink also has a reader that
// hands verification back what the sink holds (AnchorReader), read from the sink itself, never from the
// database.
import fs from "node:fs/promises";
import path from "node:path";

export interface AnchorCheckpoint {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  note: string;
}

/** One line of the anchor file, and the body posted to a witness. */
export interface AnchorRecord {
  origin: string;
  tree_size: number;
  root_hash: string;
  note: string;
  anchored_at: string;
}

/**
 * What a sink answers for one checkpoint. `confirmed`: it holds the checkpoint for good. `pending`: it
 * took it but has not settled (a chain transaction sent but not yet N blocks deep); the sequencer asks
 * again on its next pass, handing back the reference. A sink that fails throws: the anchor is marked
 * failed and retried with backoff.
 */
export type AnchorResult =
  | { status: "confirmed"; reference: string; blockNumber?: number | null }
  | { status: "pending"; reference: string; blockNumber?: number | null; submittedAt?: Date };

/** What the sequencer knows of an anchor from earlier passes (all null on the first one). */
export interface AnchorProgress {
  status: "pending" | "confirmed" | "failed";
  reference: string | null;
  submittedAt: Date | null;
  blockNumber: number | null;
  attempts: number;
}

export const NEW_ANCHOR: AnchorProgress = { status: "pending", reference: null, submittedAt: null, blockNumber: null, attempts: 0 };

export interface AnchorSink {
  /** Stable name stored with each anchor record, e.g. "file", "witness" or "chain". */
  readonly name: string;
  /**
   * Least time between two anchors of this sink, in ms. 0 or absent: every checkpoint is anchored. A
   * positive interval (the chain's hour) anchors only the latest checkpoint once per interval, so the
   * cost is one anchor per interval whatever the number of events.
   */
  readonly intervalMs?: number;
  anchor(checkpoint: AnchorCheckpoint, progress: AnchorProgress, now: Date): Promise<AnchorResult>;
}

/** A checkpoint as an anchor holds it, read back from the anchor itself for verification. */
export interface AnchoredCheckpoint {
  /** The sink's name ("file", "witness", "chain"). */
  sink: string;
  /** Where it was found, for messages: "anchors.jsonl line 3", "block 12, transaction 0x…". */
  where: string;
  /** The sink's reference for it, as the sequencer stored it in audit_anchors (file offset, transaction hash). */
  reference: string | null;
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  /** The signed note, when the sink keeps it (file, witness); null on the chain, where the sending account vouches. */
  note: string | null;
  /** Set when the record itself is unusable (not JSON, fields missing); the rest of the fields are then zero values. */
  malformed?: string;
}

/** Reads back every checkpoint one sink holds (the chain: anchored by the log's account; a witness: its latest). */
export interface AnchorReader {
  readonly sink: string;
  /** Said in reports: the file's path, the witness URL, the chain and account. */
  readonly describe: string;
  read(): Promise<AnchoredCheckpoint[]>;
}

export const toAnchorRecord = (c: AnchorCheckpoint, at = new Date()): AnchorRecord => ({
  origin: c.origin,
  tree_size: c.treeSize,
  root_hash: c.rootHash.toString("hex"),
  note: c.note,
  anchored_at: at.toISOString(),
});

/** Appends one JSON line per checkpoint; the reference is the line's byte offset. */
export class FileAnchorSink implements AnchorSink {
  readonly name = "file";

  constructor(readonly file: string) {}

  async anchor(checkpoint: AnchorCheckpoint, _progress: AnchorProgress, now: Date): Promise<AnchorResult> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const handle = await fs.open(this.file, "a");
    try {
      const { size } = await handle.stat();
      await handle.appendFile(`${JSON.stringify(toAnchorRecord(checkpoint, now))}\n`, "utf8");
      await handle.sync();
      return { status: "confirmed", reference: `${path.basename(this.file)}@${size}` };
    } finally {
      await handle.close();
    }
  }
}

/** Reads the anchor file back: every line, each a checkpoint (or malformed). A missing file holds nothing. */
export class FileAnchorReader implements AnchorReader {
  readonly sink = "file";

  constructor(readonly file: string) {}

  get describe(): string {
    return `anchor file ${this.file}`;
  }

  async read(): Promise<AnchoredCheckpoint[]> {
    const base = path.basename(this.file);
    return (await readAnchorFile(this.file)).map(({ offset, line, record }) => {
      const where = `${base} line ${line}`;
      const reference = `${base}@${offset}`;
      const problem = recordProblem(record);
      if (problem || !record) return malformedAnchor("file", where, reference, problem ?? "not a record");
      return {
        sink: "file",
        where,
        reference,
        origin: record.origin,
        treeSize: record.tree_size,
        rootHash: Buffer.from(record.root_hash, "hex"),
        note: record.note,
      };
    });
  }
}

/** Why a parsed line or witness answer is not an anchor record, or null when it is one. */
function recordProblem(record: unknown): string | null {
  if (!record || typeof record !== "object") return "not a JSON object";
  const r = record as Partial<Record<keyof AnchorRecord, unknown>>;
  if (typeof r.origin !== "string") return "origin is not a string";
  if (typeof r.tree_size !== "number" || !Number.isSafeInteger(r.tree_size) || r.tree_size < 1)
    return "tree_size is not a positive integer";
  if (typeof r.root_hash !== "string" || !/^[0-9a-f]{64}$/.test(r.root_hash)) return "root_hash is not 64 hex characters";
  if (typeof r.note !== "string") return "note is not a string";
  return null;
}

const malformedAnchor = (sink: string, where: string, reference: string | null, malformed: string): AnchoredCheckpoint => ({
  sink,
  where,
  reference,
  origin: "",
  treeSize: 0,
  rootHash: Buffer.alloc(32),
  note: null,
  malformed,
});

/** Reads every record of an anchor file with its byte offset; a line that is not JSON is reported as null. */
export async function readAnchorFile(file: string): Promise<{ offset: number; line: number; record: AnchorRecord | null }[]> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const out: { offset: number; line: number; record: AnchorRecord | null }[] = [];
  let offset = 0;
  text.split("\n").forEach((line, i) => {
    if (line.length > 0) {
      let record: AnchorRecord | null = null;
      try {
        record = JSON.parse(line) as AnchorRecord;
      } catch {
        record = null;
      }
      out.push({ offset, line: i + 1, record });
    }
    offset += Buffer.byteLength(line, "utf8") + 1;
  });
  return out;
}

/**
 * POSTs the checkpoint as JSON (an AnchorRecord) to a witness; a 2xx answer confirms it. The witness
 * may answer `{ "reference": "…" }` (a receipt id); otherwise the reference is the witness URL. A
 * witness refuses a checkpoint smaller than the one it holds (a rollback), and answers GET on the same
 * URL with the latest record it accepted (JSON, as posted), which is what HttpWitnessReader reads back.
 */
export class HttpWitnessSink implements AnchorSink {
  readonly name = "witness";

  constructor(
    readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  async anchor(checkpoint: AnchorCheckpoint, _progress: AnchorProgress, now: Date): Promise<AnchorResult> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(toAnchorRecord(checkpoint, now)),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`witness answered ${response.status}`);
    const body = (await response.json().catch(() => ({}))) as { reference?: unknown };
    return { status: "confirmed", reference: typeof body.reference === "string" ? body.reference : this.url };
  }
}

/** Reads the latest checkpoint a witness holds (GET on its URL); 404 means it holds none. */
export class HttpWitnessReader implements AnchorReader {
  readonly sink = "witness";

  constructor(
    readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  get describe(): string {
    return `witness ${this.url}`;
  }

  async read(): Promise<AnchoredCheckpoint[]> {
    const response = await fetch(this.url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(this.timeoutMs) });
    if (response.status === 404) return [];
    if (!response.ok) throw new Error(`witness ${this.url} answered ${response.status} to GET`);
    const record = (await response.json().catch(() => null)) as AnchorRecord | null;
    const where = `witness ${this.url}`;
    const problem = recordProblem(record);
    if (problem || !record) return [malformedAnchor("witness", where, null, problem ?? "not a record")];
    return [
      {
        sink: "witness",
        where,
        reference: null,
        origin: record.origin,
        treeSize: record.tree_size,
        rootHash: Buffer.from(record.root_hash, "hex"),
        note: record.note,
      },
    ];
  }
}
