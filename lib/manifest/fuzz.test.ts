// Random mutations of the spec's examples: whatever they produce, parseManifest answers with a
// validation result (never an exception), and every error it reports is well-formed.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatManifestError, parseManifest } from "./index";

const fixtures = path.join(import.meta.dirname, "fixtures");
const seeds = fs
  .readdirSync(fixtures)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => fs.readFileSync(path.join(fixtures, f), "utf8"));

/** A small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

function mutate(text: string, random: () => number): string {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  let out = text;
  const steps = 1 + Math.floor(random() * 4);
  for (let i = 0; i < steps; i++) {
    const at = Math.floor(random() * (out.length + 1));
    const lines = out.split("\n");
    switch (Math.floor(random() * 7)) {
      case 0:
        out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 8));
        break;
      case 1:
        out = out.slice(0, at) + pick(tokens) + out.slice(at);
        break;
      case 2: {
        const li = Math.floor(random() * lines.length);
        lines.splice(li, 1);
        out = lines.join("\n");
        break;
      }
      case 3: {
        const li = Math.floor(random() * lines.length);
        lines[li] = (random() < 0.5 ? " " : "") + (lines[li] ?? "").replace(/^ /, random() < 0.5 ? "" : "   ");
        out = lines.join("\n");
        break;
      }
      case 4: {
        const a = Math.floor(random() * lines.length);
        const b = Math.floor(random() * lines.length);
        [lines[a], lines[b]] = [lines[b] ?? "", lines[a] ?? ""];
        out = lines.join("\n");
        break;
      }
      case 5:
        out = out.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x3000)) + out.slice(at);
        break;
      default:
        out = out.slice(0, at) + out.slice(Math.floor(random() * out.length), Math.floor(random() * out.length)) + out.slice(at);
    }
  }
  return out;
}

describe("parseManifest under random mutation", () => {
  it("never throws and always reports well-formed errors", () => {
    const random = prng(20261123);
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      const input = mutate(seeds[i % seeds.length] ?? "", random);
      let result;
      try {
        result = parseManifest(input);
      } catch (error) {
        throw new Error(`parseManifest threw on mutation ${i}: ${String(error)}\n---\n${input}`);
      }
      if (result.ok) {
        expect(typeof result.manifest.extension.id).toBe("string");
        continue;
      }
      rejected++;
      expect(result.errors.length).toBeGreaterThan(0);
      for (const error of result.errors) {
        expect(typeof formatManifestError(error)).toBe("string");
        expect(error.message.length).toBeGreaterThan(0);
        expect(error.line).toBeGreaterThanOrEqual(0);
      }
    }
    // The mutations must actually exercise the error paths, not just whitespace.
    expect(rejected).toBeGreaterThan(600);
  }, 120_000);
});
