// What verifying the audit log reports (verify.ts): the problems found, each naming the first bad leaf,
// what each external anchor held, and the options a verification takes.
import type { AnchorReader } from "./anchors";

export const problemKinds = [
  "altered",
  "missing",
  "reordered",
  "inserted",
  "truncated",
  "rolled back",
  "forged checkpoint",
  "anchor mismatch",
] as const;
export type ProblemKind = (typeof problemKinds)[number];

export interface Problem {
  kind: ProblemKind;
  /** The first leaf index affected; null when no leaf can be named (e.g. an anchor record that is not one). */
  leafIndex: number | null;
  message: string;
}

export interface VerifyOptions {
  /** The checkpoint key (raw Ed25519); null when the log has none (an empty or wiped database). */
  publicKey: Buffer | null;
  /** The log's origin: the one stored when it was created (log-origin.ts), the name checkpoints are signed under. */
  origin: string;
  /** Readers of the external anchors, each read back from the anchor itself. */
  anchors?: AnchorReader[];
  /** Shorthand for a FileAnchorReader of this file. */
  anchorFile?: string;
  /** An event dated more than this before the checkpoint preceding its leaf (or the latest one, if unsequenced) is "inserted". */
  lateCommitMs?: number;
  /**
   * The directory of the archive files that audit_archives lists (archive.ts): the events past retention
   * are read back from there and hashed. Without it, a log with archives reports them unread.
   */
  archiveDir?: string;
  /** Leaves read per query (default 10,000); a few pages are fetched ahead while one is hashed. */
  pageSize?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * How leaves are read on PostgreSQL: "packed" (default) reads packed pages of leaves and entry texts
   * (verify-packed.ts); "json" reads json_agg pages as on PGlite. Only bench:audit sets it, to print both
   * on the same machine.
   */
  postgresRead?: "packed" | "json";
}

/** What a verification read from the archives. */
export interface ArchiveSummary {
  /** Files audit_archives lists, and how many of them were read. */
  files: number;
  filesRead: number;
  /** Events the files list. */
  events: number;
  /** Archived events read back and hashed. */
  read: number;
  /**
   * Why the archives were not read at all (no directory given, or it does not exist), null when they
   * were: their events' stored leaf hashes were then taken as they are, and the verification is incomplete.
   */
  unavailable: string | null;
  /** Files whose bytes are not those written (recompressed or copied by a tool) though every entry in them hashes to its leaf. */
  rewritten: string[];
  /** Archive files in the directory that audit_archives does not list (left by a crash, or another log's). */
  strays: string[];
}

/** What one external anchor held, for the report. */
export interface AnchorSummary {
  sink: string;
  describe: string;
  /** Checkpoints of this log it holds. */
  checkpoints: number;
  /** The largest tree size among them, null when none. */
  largest: number | null;
}

export interface VerifyReport {
  ok: boolean;
  treeSize: number;
  checkpoints: number;
  /** Anchors the database records as confirmed. */
  anchors: number;
  /** What each external anchor held. */
  anchored: AnchorSummary[];
  problems: Problem[];
  first: Problem | null;
  /** Anchors that could not be read (an RPC or witness down): verification is then incomplete, not failed. */
  unchecked: string[];
  /**
   * Events canonicalized in full rather than hashed as the database wrote their entry: on PGlite all of
   * them; on PostgreSQL those whose stored text is not the canonical one (rows written before migration
   * 0007, or by hand) and those that no longer hash as logged.
   */
  recanonicalized: number;
  /** The archive files the log lists, and the archived events read back from them. */
  archived: ArchiveSummary;
  /** Wall-clock seconds the verification took. */
  seconds: number;
}
