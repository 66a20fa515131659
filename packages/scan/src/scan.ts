// The scan itself: each file that ships goes to its language's analyzer (a real parse with tree-sitter
// through @ast-grep/napi) and through the hard-coded credential formats; the raw findings then get their
// code lines, exception comments, fingerprints and baseline state. Nothing is executed: files are only
// parsed.
import { Lang, parse, registerDynamicLanguage, type SgNode } from "@ast-grep/napi";
import python from "@ast-grep/lang-python";
import { analyzeJs, jsMayMatch } from "./analyze-js";
import { analyzePython, pyMayMatch } from "./analyze-python";
import { fingerprint } from "./baseline";
import { oneLine, type AnalyzeContext, type RawFinding } from "./common";
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

/** The raw findings of one file, and its parsed tree when it was parsed. */
function analyzeFile(file: SourceFile, declared: AnalyzeContext["declared"]): { raw: RawFinding[]; root: SgNode | null } {
  const ctx: AnalyzeContext = { declared, out: [] };
  const language = languageOf(file.path);
  let root: SgNode | null = null;
  if (language) {
    // A file none of whose text could match a rule is not parsed (the analyzers' gates): skipping the
    // parse cannot lose a finding.
    if (language === "python" ? pyMayMatch(file.content) : jsMayMatch(file.content)) {
      root = parseAs(language, file.content);
      if (language === "python") analyzePython(root, ctx, file.content);
      else analyzeJs(root, ctx, file.content);
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
 * Scans files of an extension (already limited to what ships: see select.ts) and returns the report.
 * Files that are neither code nor a text format that can hold a credential are counted as skipped.
 *
 * @param files paths relative to the extension's root with `/` separators, and their text
 * @param options.declared the manifest's declarations (null: unknown, SDK name rules do not run)
 * @param options.baseline fingerprints the extension's baseline file accepts
 */
export function scanFiles(files: Iterable<SourceFile>, options: ScanOptions = {}): ScanReport {
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
    const { raw, root } = analyzeFile(file, declared);
    if (raw.length === 0) continue;
    const lines = file.content.split("\n").map((l) => l.replace(/\r$/, ""));
    const markers = markerLines(root, lines);
    const seen = new Set<string>();
    const occurrences = new Map<string, number>();
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

/** Counts of a report's findings (see ScanSummary). */
export function summarize(findings: Finding[]): ScanReport["summary"] {
  return {
    blocking: findings.filter((f) => f.severity === "block" && !f.baselined).length,
    warnings: findings.filter((f) => f.severity === "warn" && !f.baselined).length,
    exceptions: findings.filter((f) => f.exception).length,
    baselined: findings.filter((f) => f.baselined).length,
  };
}
