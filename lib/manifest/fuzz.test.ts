// Random mutations of the spec's examples (fast-check, so a failure shrinks to the fewest, smallest edits):
// whatever they produce, parseManifest answers with a validation result (never an exception), and every
// error it reports is well-formed.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatManifestError, parseManifest } from "./index";

const fixtures = path.join(import.meta.dirname, "fixtures");
const seeds = fs
  .readdirSync(fixtures)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => fs.readFileSync(path.join(fixtures, f), "utf8"));

const tokens = [
  "",
  " ",
  "  ",
  "\t",
  ":",
  "- ",
  "&a ",
  "*a",
  "!!binary ",
  "!!map",
  "{",
  "}",
  "[",
  "]",
  "'",
  '"',
  "#",
  "|",
  ">",
  "---\n",
  "...\n",
  "~",
  "null",
  "true",
  "1e999",
  "0x1F",
  "ext.",
  "org.",
  "\u0000",
  "\uFEFF",
  "é",
  "%YAML 1.1\n",
  "? ",
  "<<: *a\n",
];

/**
 * One edit of a manifest's text. Positions are taken modulo the text's (or its lines') length when
 * applied, so any number is a valid position and fast-check can shrink them freely.
 */
type Edit =
  | { kind: "delete"; at: number; length: number }
  | { kind: "insert"; at: number; token: string }
  | { kind: "drop-line"; line: number }
  | { kind: "indent"; line: number; lead: boolean; strip: boolean }
  | { kind: "swap-lines"; a: number; b: number }
  | { kind: "char"; at: number; code: number }
  | { kind: "copy"; at: number; from: number; to: number };

const position = fc.nat({ max: 10_000 });
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: position, length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: position, token: fc.constantFrom(...tokens) }),
  fc.record({ kind: fc.constant("drop-line" as const), line: position }),
  fc.record({ kind: fc.constant("indent" as const), line: position, lead: fc.boolean(), strip: fc.boolean() }),
  fc.record({ kind: fc.constant("swap-lines" as const), a: position, b: position }),
  fc.record({ kind: fc.constant("char" as const), at: position, code: fc.integer({ min: 0, max: 0x2fff }) }),
  fc.record({ kind: fc.constant("copy" as const), at: position, from: position, to: position }),
);

function apply(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of edits) {
    const lines = out.split("\n");
    const line = (n: number) => n % lines.length;
    const at = "at" in e ? e.at % (out.length + 1) : 0;
    switch (e.kind) {
      case "delete":
        out = out.slice(0, at) + out.slice(at + e.length);
        break;
      case "insert":
        out = out.slice(0, at) + e.token + out.slice(at);
        break;
      case "drop-line":
        lines.splice(line(e.line), 1);
        out = lines.join("\n");
        break;
      case "indent": {
        const li = line(e.line);
        lines[li] = (e.lead ? " " : "") + (lines[li] ?? "").replace(/^ /, e.strip ? "" : "   ");
        out = lines.join("\n");
        break;
      }
      case "swap-lines": {
        const [a, b] = [line(e.a), line(e.b)];
        [lines[a], lines[b]] = [lines[b] ?? "", lines[a] ?? ""];
        out = lines.join("\n");
        break;
      }
      case "char":
        out = out.slice(0, at) + String.fromCharCode(e.code) + out.slice(at);
        break;
      case "copy":
        out = out.slice(0, at) + out.slice(e.from % (out.length + 1), e.to % (out.length + 1)) + out.slice(at);
    }
  }
  return out;
}

// Fixed, so a run is reproducible; on a failure fast-check prints the seed, the path and the shrunk input.
const SEED = 20261123;
const RUNS = 600;

describe("parseManifest under random mutation", () => {
  it("never throws and always reports well-formed errors", () => {
    let rejected = 0;
    const mutated = fc
      .tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 4 }))
      .map(([text, edits]) => apply(text, edits));
    fc.assert(
      fc.property(mutated, (input) => {
        const result = parseManifest(input);
        if (result.ok) {
          expect(typeof result.manifest.extension.id).toBe("string");
          return;
        }
        rejected++;
        expect(result.errors.length).toBeGreaterThan(0);
        for (const error of result.errors) {
          expect(typeof formatManifestError(error)).toBe("string");
          expect(error.message.length).toBeGreaterThan(0);
          expect(error.line).toBeGreaterThanOrEqual(0);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The mutations must actually exercise the error paths, not just whitespace.
    expect(rejected).toBeGreaterThan(RUNS * 0.3);
  }, 60_000);
});
