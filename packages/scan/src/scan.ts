// The scan itself: each file that ships goes to its language's analyzer (a real parse with tree-sitter
// through @ast-grep/napi) and through the hard-coded credential formats; the raw findings then get their
// code lines, exception comments, fingerprints and baseline state. Nothing is executed: files are only
// parsed.
import { Lang, parse, registerDynamicLanguage, type SgNode } from "@ast-grep/napi";
import python from "@ast-grep/lang-python";
import { analyzeJs } from "./analyze-js";
import { analyzePython } from "./analyze-python";
import { fingerprint } from "./baseline";
import { oneLine, type AnalyzeContext, type RawFinding } from "./common";
import { RULE_GROUPS, groupsFor, type RuleGroup } from "./prefilter";
import { sdkQuiet } from "./quiet-sdk";
import { RULES } from "./rules";
import { isScannable, languageOf } from "./select";
import { findTokens, maskToken } from "./tokens";
import type { ContextLine, Finding, ScanOptions, ScanReport, SourceFile } from "./types";

export const SCANNER_VERSION = "0.1.0";

/** The exception comment: `latchkey-allow-plaintext-credential: <reason>` (the spec's `imperal-` spelling too). */
const MARKER = /(?:latchkey|imperal)-allow-plaintext-credential\b(?:\s*:\s*(.*))?/;

let pythonReady = false;
function parseAs(language: "javascript" | "typescript" | "tsx" | "python", content: string): SgNode {
  if (language === "python") {
    if (!pythonReady) {
      // The grammar ships prebuilt inside @ast-grep/lang-python; nothing is downloaded or compiled.
      registerDynamicLanguage({ python });
      pythonReady = true;
    }
    return parse("python", content).root();
  }
  const lang = language === "javascript" ? Lang.JavaScript : language === "typescript" ? Lang.TypeScript : Lang.Tsx;
  return parse(lang, content).root();
}

/** Lines (1-based) that hold an exception comment, with its reason ("" when it has none). */
function markerLines(root: SgNode | null, lines: string[]): Map<number, string> {
  const found = new Map<number, string>();
  const take = (text: string, line: number) => {
    const match = text.match(MARKER);
    if (!match) return;
    const reason = (match[1] ?? "")
      .replace(/\*\/\s*$/, "")
      .replace(/-->\s*$/, "")
      .trim();
    found.set(line, reason);
  };
  if (root) {
    for (const comment of root.findAll({ rule: { kind: "comment" } })) {
      const text = comment.text();
      if (!MARKER.test(text)) continue;
      const { start, end } = comment.range();
      text.split("\n").forEach((part, i) => take(part, start.line + 1 + i));
      take(text, end.line + 1);
    }
  } else {
    lines.forEach((text, i) => {
      if (/^\s*(#|\/\/|;)/.test(text)) take(text, i + 1);
    });
  }
  return found;
}

function redact(text: string): string {
  let out = text;
  for (const match of findTokens(text).reverse()) {
    out = `${out.slice(0, match.index)}${maskToken(match.value)}${out.slice(match.index + match.value.length)}`;
  }
  return out;
}

function contextLines(lines: string[], line: number): ContextLine[] {
  const out: ContextLine[] = [];
  for (let n = Math.max(1, line - 2); n <= Math.min(lines.length, line + 2); n++) {
    const text = lines[n - 1] ?? "";
    out.push({ line: n, text: redact(text.length > 240 ? `${text.slice(0, 239)}…` : text) });
  }
  return out;
}

function positionOf(lines: string[], index: number): { line: number; column: number } {
  let remaining = index;
  for (let i = 0; i < lines.length; i++) {
    const length = (lines[i] as string).length + 1;
    if (remaining < length) return { line: i, column: remaining };
    remaining -= length;
  }
  return { line: Math.max(0, lines.length - 1), column: 0 };
}

/** Counters and timers of a scan, for the benchmark (bench/scan.ts): what the prefilter let through. */
export interface ScanStats {
  /** Code files parsed. */
  parsed: number;
  /** Code files left unparsed: no rule group could report on them (prefilter.ts). */
  unparsed: number;
  /** Parsed files whose SDK data-flow analysis the quiet proof skipped (quiet-sdk.ts). */
  sdkQuiet: number;
  /** Seconds spent parsing, and running the rules on the parsed trees (quiet proofs included). */
  parseSeconds: number;
  analysisSeconds: number;
}

/** Empty ScanStats to pass in a ScanMode. */
export function newScanStats(): ScanStats {
  return { parsed: 0, unparsed: 0, sdkQuiet: 0, parseSeconds: 0, analysisSeconds: 0 };
}

/**
 * How a scan runs: with the prefilter (what scanFiles does) or without it (every code file parsed and
 * every rule group run: the tests check that both give the same findings), and with stats to fill in.
 */
export interface ScanMode {
  prefilter: boolean;
  stats?: ScanStats;
}

/** The rule groups to run on a parsed file: the SDK rules go when their quiet proof holds. */
function groupsToRun(
  language: NonNullable<ReturnType<typeof languageOf>>,
  root: SgNode,
  groups: readonly RuleGroup[],
  declared: AnalyzeContext["declared"],
  mode: ScanMode,
): readonly RuleGroup[] {
  if (!mode.prefilter || !groups.includes("sdk") || !sdkQuiet(language, root, declared)) return groups;
  if (mode.stats) mode.stats.sdkQuiet++;
  return groups.filter((group) => group !== "sdk");
}

/** The raw findings of one file, and its parsed tree when it was parsed. */
function analyzeFile(file: SourceFile, declared: AnalyzeContext["declared"], mode: ScanMode): { raw: RawFinding[]; root: SgNode | null } {
  const ctx: AnalyzeContext = { declared, out: [] };
  const language = languageOf(file.path);
  const stats = mode.stats;
  let root: SgNode | null = null;
  if (language) {
    // Groups that cannot report are not run, and a file no group can report on is not parsed
    // (prefilter.ts): skipping them cannot lose a finding.
    const groups = mode.prefilter ? groupsFor(language, file.content) : RULE_GROUPS;
    if (groups.length === 0) {
      if (stats) stats.unparsed++;
    } else {
      const started = stats ? performance.now() : 0;
      root = parseAs(language, file.content);
      const parsed = stats ? performance.now() : 0;
      const run = groupsToRun(language, root, groups, declared, mode);
      if (language === "python") analyzePython(root, ctx, run);
      else analyzeJs(root, ctx, run, file.content);
      if (stats) {
        stats.parsed++;
        stats.parseSeconds += (parsed - started) / 1000;
        stats.analysisSeconds += (performance.now() - parsed) / 1000;
      }
    }
  }
  const tokens = findTokens(file.content);
  if (tokens.length > 0) {
    const lines = file.content.split("\n");
    for (const token of tokens) {
      const start = positionOf(lines, token.index);
      const end = positionOf(lines, token.index + token.value.length);
      ctx.out.push({
        rule: "hardcoded-credential",
        start,
        end,
        snippet: maskToken(token.value),
        message: `${token.format.label[0]?.toUpperCase()}${token.format.label.slice(1)} is written into the file (${maskToken(token.value)}).`,
      });
    }
  }
  return { raw: ctx.out, root };
}

/**
 * The findings of one file from its raw findings: code lines, exception comments (read from the tree:
 * a code file the prefilter left unparsed is parsed now, so comments count the same either way),
 * fingerprints and baseline state.
 */
function fileFindings(file: SourceFile, raw: RawFinding[], root: SgNode | null, options: ScanOptions): Finding[] {
  const lines = file.content.split("\n").map((l) => l.replace(/\r$/, ""));
  const language = languageOf(file.path);
  const markers = markerLines(root ?? (language ? parseAs(language, file.content) : null), lines);
  const seen = new Set<string>();
  const occurrences = new Map<string, number>();
  const findings: Finding[] = [];
  raw.sort((a, b) => a.start.line - b.start.line || a.start.column - b.start.column);
  for (const r of raw) {
    const key = `${r.rule}:${r.start.line}:${r.start.column}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const rule = RULES[r.rule];
    const line = r.start.line + 1;
    const lineText = lines[r.start.line] ?? "";
    const occurrenceKey = `${r.rule}\n${lineText.replace(/\s+/g, " ").trim()}`;
    const occurrence = occurrences.get(occurrenceKey) ?? 0;
    occurrences.set(occurrenceKey, occurrence + 1);
    const finding: Finding = {
      rule: r.rule,
      severity: rule.severity,
      ruleSeverity: rule.severity,
      path: file.path,
      line,
      column: r.start.column + 1,
      endLine: r.end.line + 1,
      endColumn: r.end.column + 1,
      snippet: redact(oneLine(r.snippet)),
      message: redact(r.message),
      context: contextLines(lines, line),
      fingerprint: fingerprint(r.rule, file.path, lineText, occurrence),
    };
    const markerLine = markers.has(line) ? line : markers.has(line - 1) ? line - 1 : null;
    if (markerLine !== null && rule.severity === "block") {
      const reason = markers.get(markerLine) ?? "";
      if (reason.length > 0) {
        finding.severity = "warn";
        finding.exception = { reason: oneLine(reason, 300), line: markerLine };
      } else {
        finding.note = `The exception comment on line ${markerLine} gives no reason, so it does not count: write latchkey-allow-plaintext-credential: <why this is needed>.`;
      }
    }
    if (options.baseline?.has(finding.fingerprint)) finding.baselined = true;
    findings.push(finding);
  }
  return findings;
}

/**
 * scanFiles with a ScanMode: the prefilter on or off, and stats to fill in. scanFiles is this with the
 * prefilter on; tests and the benchmark call it directly (it is not exported from the package).
 */
export function scanFilesWith(files: Iterable<SourceFile>, options: ScanOptions, mode: ScanMode): ScanReport {
  const declared = options.declared ?? null;
  const findings: Finding[] = [];
  let scanned = 0;
  let skipped = 0;
  let bytes = 0;
  for (const file of files) {
    if (!isScannable(file.path)) {
      skipped++;
      continue;
    }
    scanned++;
    bytes += Buffer.byteLength(file.content);
    const { raw, root } = analyzeFile(file, declared, mode);
    if (raw.length > 0) findings.push(...fileFindings(file, raw, root, options));
  }
  findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column));
  return {
    scanner: { name: "latchkey-scan", version: SCANNER_VERSION },
    files: { scanned, bytes, skipped },
    manifestChecked: declared !== null,
    findings,
    summary: summarize(findings),
  };
}

/**
 * Scans files of an extension (already limited to what ships: see select.ts) and returns the report.
 * Files that are neither code nor a text format that can hold a credential are counted as skipped.
 *
 * @param files paths relative to the extension's root with `/` separators, and their text
 * @param options.declared the manifest's declarations (null: unknown, SDK name rules do not run)
 * @param options.baseline fingerprints the extension's baseline file accepts
 */
export function scanFiles(files: Iterable<SourceFile>, options: ScanOptions = {}): ScanReport {
  return scanFilesWith(files, options, { prefilter: true });
}

/** Counts of a report's findings (see ScanSummary). */
export function summarize(findings: Finding[]): ScanReport["summary"] {
  return {
    blocking: findings.filter((f) => f.severity === "block" && !f.baselined).length,
    warnings: findings.filter((f) => f.severity === "warn" && !f.baselined).length,
    exceptions: findings.filter((f) => f.exception).length,
    baselined: findings.filter((f) => f.baselined).length,
  };
}
