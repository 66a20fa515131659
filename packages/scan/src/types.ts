// The scanner's data shapes: what goes in (files, declarations, options) and what comes out (findings,
// the report). Plain JSON-serializable objects, so the server can store a report as it is and the CLI can
// print it with --format json.
import type { RuleId, Severity } from "./rules";

/** One file of the extension, its path relative to the extension's root with `/` separators. */
export interface SourceFile {
  path: string;
  content: string;
}

/** What the manifest declares for one secret name (see lib/manifest/declarations.ts for the source of truth). */
export interface DeclaredName {
  scope: "ext" | "org" | "user";
  name: string;
  /** Who may write it: partner credentials (ext) are never written by the extension and count as "user". */
  writeMode: "user" | "extension" | "both";
}

export interface ScanOptions {
  /**
   * The manifest's declarations. When absent (no manifest found), the rules that compare names with the
   * manifest (sdk-undeclared-secret, sdk-user-secret-write) do not run and the report says so.
   */
  declared?: DeclaredName[] | null;
  /** Fingerprints accepted by the extension's baseline file: matching findings do not block. */
  baseline?: ReadonlySet<string>;
}

/** A line of source shown around a finding. `line` is 1-based. */
export interface ContextLine {
  line: number;
  text: string;
}

export interface Finding {
  rule: RuleId;
  /** The effective severity: a block with a reasoned exception comment becomes `warn`. */
  severity: Severity;
  /** The rule's own severity, before any exception. */
  ruleSeverity: Severity;
  /** File path relative to the extension's root. */
  path: string;
  /** 1-based line and column (UTF-16 code units) of the start of the flagged code. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The flagged code on one line, at most 100 characters (e.g. `process.env.STRIPE_KEY`). */
  snippet: string;
  /** What this occurrence does, in a sentence. */
  message: string;
  /** Up to two lines before and after the flagged line. */
  context: ContextLine[];
  /** Stable across unrelated edits: rule, path, the flagged line's text and its occurrence number. */
  fingerprint: string;
  /** A `latchkey-allow-plaintext-credential: <reason>` comment that turned this block into a warning. */
  exception?: { reason: string; line: number };
  /** Accepted by the baseline file: shown, never blocking. */
  baselined?: boolean;
  /** Something the publisher should know about this finding (e.g. an exception comment without a reason). */
  note?: string;
}

export interface ScanSummary {
  /** Findings that stop a publish: severity block and not in the baseline. */
  blocking: number;
  warnings: number;
  exceptions: number;
  baselined: number;
}

export interface ScanReport {
  scanner: { name: "latchkey-scan"; version: string };
  files: { scanned: number; bytes: number; skipped: number };
  /** Whether the manifest's declarations were known (the SDK name rules ran). */
  manifestChecked: boolean;
  findings: Finding[];
  summary: ScanSummary;
}
