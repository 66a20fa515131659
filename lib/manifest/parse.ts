// Parses a manifest's YAML and validates it, reporting every problem at once with the path and the
// line:column it was found at. Never throws: any input (binary junk, alias bombs, deep nesting) comes
// back as a validation result, because the text comes from publishers and is shown back to them.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";
import { describeTextProblem, escapeText, findTextProblem, type TextProblem, type TextRules } from "@/lib/core/text";
import { crossCheck, formatPath, type Path, type RawIssue } from "./cross-checks";
import { rawManifestSchema, type Manifest, type RawManifest } from "./schema";

export interface ManifestError {
  /** Dotted path with [index] for list items, e.g. `setup[0].secrets.fields[0].obtain.client_id`; "" for the document. */
  path: string;
  /** 1-based; 0 when the position is unknown. */
  line: number;
  column: number;
  message: string;
}

export type ParseResult = { ok: true; manifest: Manifest; warnings?: ManifestError[] } | { ok: false; errors: ManifestError[] };

/** Manifests are small; a cap keeps a pasted or uploaded file from costing the server real work. */
export const MAX_MANIFEST_BYTES = 256 * 1024;
/** The version assumed when a manifest (like the spec's provider and consumer examples) names none. */
export const DEFAULT_VERSION = "1.0.0";

export function formatManifestError(e: ManifestError): string {
  const where = e.line > 0 ? `line ${e.line}:${e.column}` : "";
  if (e.path && where) return `${e.path} (${where}): ${e.message}`;
  if (e.path) return `${e.path}: ${e.message}`;
  return where ? `${where}: ${e.message}` : e.message;
}

export function parseManifest(text: unknown): ParseResult {
  try {
    return parse(text);
  } catch (error) {
    // A bug or an input the YAML library refuses in an unexpected way: still a result, never a throw.
    return fail([{ path: "", line: 0, column: 0, message: `The manifest could not be read: ${describeError(error)}` }]);
  }
}

function parse(text: unknown): ParseResult {
  if (typeof text !== "string") return fail([{ path: "", line: 0, column: 0, message: "The manifest must be YAML text." }]);
  if (Buffer.byteLength(text, "utf8") > MAX_MANIFEST_BYTES) {
    return fail([{ path: "", line: 0, column: 0, message: `The manifest is larger than ${MAX_MANIFEST_BYTES / 1024} KiB.` }]);
  }
  if (text.trim() === "") return fail([{ path: "", line: 1, column: 1, message: "The manifest is empty." }]);

  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number | undefined) => {
    if (offset === undefined) return { line: 0, column: 0 };
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    return fail(byPosition(dedupe(doc.errors.map((e) => ({ path: "", ...pos(e.pos[0]), message: escapeText(yamlMessage(e.message)) })))));
  }
  // Reported with everything else below; a field with such a character also fails whatever rule its value
  // then breaks (an id pattern), which only repeats the cause, so those errors give way to this one.
  const textErrors = textIssues(text, doc).map((issue) => ({ path: formatPath(issue.path), ...pos(issue.offset), message: issue.message }));
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    return fail([{ path: "", line: 1, column: 1, message: `The YAML could not be read: ${describeError(error)}` }]);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return fail([{ path: "", line: 1, column: 1, message: "The manifest must be a mapping with model_version and extension." }]);
  }

  // Paths and messages may quote what was written (an unknown key, a value): escaped, so an error is
  // always text that can be shown, logged and stored.
  const at = (issue: RawIssue): ManifestError => ({
    path: escapeText(formatPath(issue.path)),
    ...pos(locate(doc, issue.path, issue.atKey)),
    message: escapeText(issue.message),
  });

  const errors: RawIssue[] = [];
  const warnings: RawIssue[] = doc.warnings.map((w) => ({ path: [], message: yamlMessage(w.message) }));
  const result = rawManifestSchema.safeParse(data);
  let parsed: RawManifest | undefined = result.success ? result.data : undefined;
  if (!result.success) {
    const unknownKeys: { path: Path; key: string }[] = [];
    for (const issue of result.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) unknownKeys.push({ path, key });
      } else {
        errors.push({ path, message: messageFor(issue, data, path) });
      }
    }
    for (const { path, key } of unknownKeys) {
      warnings.push({ path: [...path, key], message: `${key} is not a known field and is ignored`, atKey: true });
    }
    if (errors.length === 0) {
      // Only unknown fields: drop them and validate what is left.
      for (const { path, key } of unknownKeys) {
        const parent = valueAt(data, path);
        if (parent && typeof parent === "object") delete (parent as Record<string, unknown>)[key];
      }
      const retry = rawManifestSchema.safeParse(data);
      if (retry.success) parsed = retry.data;
      else errors.push({ path: [], message: "The manifest could not be validated." });
    }
  }
  errors.push(...crossCheck(data));
  if (textErrors.length > 0) {
    const causes = new Set(textErrors.map((e) => e.path));
    // Not deduplicated: each is its own place (document-level ones share path and message, not line).
    return fail(byPosition([...textErrors, ...dedupe(errors.map(at).filter((e) => !causes.has(e.path)))]));
  }
  if (errors.length > 0 || !parsed) return fail(byPosition(dedupe(errors.map(at))));

  const manifest = normalize(parsed);
  if (!parsed.extension.version) {
    warnings.push({ path: ["extension"], message: `extension.version is missing; ${DEFAULT_VERSION} is assumed`, atKey: true });
  }
  return warnings.length > 0 ? { ok: true, manifest, warnings: dedupe(warnings.map(at)) } : { ok: true, manifest };
}

/**
 * A problem found after parsing (e.g. against what the registry already holds) as a ManifestError with
 * the line:column of `path` in the manifest's YAML (the nearest existing ancestor when the path is absent;
 * 0:0 when the text does not parse, e.g. a manifest stored without its YAML).
 */
export function manifestErrorAt(yaml: string, issue: RawIssue): ManifestError {
  const lines = new LineCounter();
  let offset: number | undefined;
  try {
    offset = locate(parseDocument(yaml, { lineCounter: lines, prettyErrors: false }), issue.path, issue.atKey);
  } catch {
    offset = undefined;
  }
  const p = offset === undefined ? null : lines.linePos(offset);
  return { path: formatPath(issue.path), line: p?.line ?? 0, column: p?.col ?? 0, message: issue.message };
}

function fail(errors: ManifestError[]): ParseResult {
  return { ok: false, errors };
}

/** Hoists credentials/secrets/setup/webhooks to the top level, wherever they were written. */
function normalize(raw: RawManifest): Manifest {
  const { credentials: c1, secrets: s1, setup: u1, webhooks: w1, ...extension } = raw.extension;
  const manifest: Manifest = {
    model_version: raw.model_version,
    extension: { ...extension, version: extension.version ?? DEFAULT_VERSION, description: extension.description ?? "" },
  };
  const credentials = raw.credentials ?? c1;
  const secrets = raw.secrets ?? s1;
  const setup = raw.setup ?? u1;
  const webhooks = raw.webhooks ?? w1;
  if (credentials) manifest.credentials = credentials;
  if (secrets) manifest.secrets = secrets;
  if (setup) manifest.setup = setup;
  if (webhooks) manifest.webhooks = webhooks;
  return manifest;
}

type Issue = z.core.$ZodIssue;

function messageFor(issue: Issue, data: unknown, path: Path): string {
  const value = valueAt(data, path);
  if (value === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")) return "is required";
  switch (issue.code) {
    case "invalid_type":
      if (issue.expected === "string" && typeof value === "number") return `must be text (found ${value}; quote it to keep it text)`;
      return `must be ${article(issue.expected)} (found ${describe(value)})`;
    case "invalid_value":
      if (issue.message && !issue.message.startsWith("Invalid")) return issue.message;
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])} (found ${describe(value)})`
        : `must be one of ${issue.values.map((v) => String(v)).join(", ")} (found ${describe(value)})`;
    case "invalid_union":
      return `has an unexpected shape (found ${describe(value)})`;
    default:
      return issue.message;
  }
}

const expectedNames: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "text",
  int: "a whole number",
  number: "a number",
  boolean: "true or false",
};
const article = (expected: string) => expectedNames[expected] ?? `a ${expected}`;

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function valueAt(data: unknown, path: Path): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/**
 * The source offset of a path: the value node (or the key, when asked), else the nearest ancestor that
 * exists, so a missing field points at the mapping it is missing from.
 */
function locate(doc: Document, path: Path, atKey = false): number | undefined {
  let node: unknown = doc.contents;
  let best = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) return best;
      if (last && atKey) return rangeStart(pair.key) ?? best;
      node = pair.value;
      best = rangeStart(node) ?? rangeStart(pair.key) ?? best;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      best = rangeStart(node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

interface TextIssue {
  path: Path;
  offset: number | undefined;
  message: string;
}

// Values may span lines (descriptions, a setup step's markdown); keys are names and may not.
const VALUE_RULES: TextRules = { multiline: true };
const KEY_RULES: TextRules = {};
// Enough to show what is wrong; a file full of them (binary junk) is refused without listing each.
const MAX_TEXT_ISSUES = 50;

/**
 * Characters the manifest may not hold, each at its path and source offset. U+0000 and unpaired
 * surrogates cannot be stored at all: the YAML is kept in a text column and the manifest as jsonb, which
 * refuses them in values and keys alike. Other control characters are refused too (tab and line breaks
 * excepted in values): YAML itself allows none of them raw, and escaped they would reach the dashboard
 * and the CLI's terminal. Raw characters outside any value (in a comment) are reported at their line.
 */
function textIssues(source: string, doc: Document): TextIssue[] {
  const issues: TextIssue[] = [];
  // Source ranges of the values and keys reported, so their raw characters are not reported again.
  const reported: [number, number][] = [];
  // The raw character when it is written as is, else the start of the scalar (it was an escape).
  const report = (node: unknown, path: Path, problem: TextProblem, message: string) => {
    const range = (node as Node | null | undefined)?.range;
    let offset: number | undefined;
    if (Array.isArray(range)) {
      reported.push([range[0], range[1]]);
      const raw = source.indexOf(String.fromCharCode(problem.codePoint), range[0]);
      offset = raw >= 0 && raw < range[1] ? raw : range[0];
    }
    issues.push({ path, offset, message });
  };
  const visit = (node: unknown, path: Path): void => {
    if (issues.length >= MAX_TEXT_ISSUES) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key: unknown = isScalar(pair.key) ? pair.key.value : pair.key;
        let segment: string | number = typeof key === "number" ? key : String(key);
        if (typeof key === "string") {
          const problem = findTextProblem(key, KEY_RULES);
          if (problem) {
            segment = escapeText(key);
            report(pair.key, [...path, segment], problem, `the key ${describeTextProblem(problem)}`);
          }
        }
        visit(pair.value, [...path, segment]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    } else if (isScalar(node) && typeof node.value === "string") {
      const problem = findTextProblem(node.value, VALUE_RULES);
      if (problem) report(node, path, problem, describeTextProblem(problem));
    }
  };
  visit(doc.contents, []);

  // The rest of the text (comments, between values): one error per line is enough to find the others.
  for (let from = 0; issues.length < MAX_TEXT_ISSUES;) {
    const problem = findTextProblem(source, VALUE_RULES, from);
    if (!problem) break;
    const within = reported.find(([start, end]) => problem.index >= start && problem.index < end);
    if (within) {
      from = within[1];
      continue;
    }
    issues.push({ path: [], offset: problem.index, message: `The manifest ${describeTextProblem(problem)}` });
    const lineEnd = source.indexOf("\n", problem.index);
    if (lineEnd < 0) break;
    from = lineEnd + 1;
  }
  return issues;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}

function yamlMessage(message: string): string {
  return message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? message;
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? "unknown error") : "unknown error";
}

function byPosition(errors: ManifestError[]): ManifestError[] {
  return [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
}

function dedupe(errors: ManifestError[]): ManifestError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
