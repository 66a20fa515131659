// Anchor sinks: places outside the database that each signed checkpoint is handed to, so rewriting the
// database (checkpoints included) still disagrees with a copy the attacker does not control. The file
// sink appends to .data/anchors.jsonl; the witness sink POSTs the checkpoint to an HTTP witness.
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

export interface AnchorResult {
  /** Where the checkpoint now lives (file offset, witness receipt). */
  reference: string;
}

export interface AnchorSink {
  /** Stable name stored with each anchor record, e.g. "file" or "witness". */
  readonly name: string;
  anchor(checkpoint: AnchorCheckpoint): Promise<AnchorResult>;
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

  async anchor(checkpoint: AnchorCheckpoint): Promise<AnchorResult> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const handle = await fs.open(this.file, "a");
    try {
      const { size } = await handle.stat();
      await handle.appendFile(`${JSON.stringify(toAnchorRecord(checkpoint))}\n`, "utf8");
      await handle.sync();
      return { reference: `${path.basename(this.file)}@${size}` };
    } finally {
      await handle.close();
    }
  }
}

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
 * POSTs the checkpoint as JSON to a witness; a 2xx answer confirms it. The witness may answer
 * `{ "reference": "…" }` (a receipt id); otherwise the reference is the witness URL.
 */
export class HttpWitnessSink implements AnchorSink {
  readonly name = "witness";

  constructor(
    readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  async anchor(checkpoint: AnchorCheckpoint): Promise<AnchorResult> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(toAnchorRecord(checkpoint)),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`witness answered ${response.status}`);
    const body = (await response.json().catch(() => ({}))) as { reference?: unknown };
    return { reference: typeof body.reference === "string" ? body.reference : this.url };
  }
}
