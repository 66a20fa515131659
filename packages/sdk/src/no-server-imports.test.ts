// The SDK ships to extension code on any JavaScript runtime: it must not pull in the server (database,
// vault, env, Next), any package (zero runtime dependencies) or a Node-only API. This reads every SDK
// source file and fails on any import from outside src/ and on Node globals outside a guarded lookup.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const dir = import.meta.dirname;
const sources = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .map((file) => ({ file, source: readFileSync(path.join(dir, file), "utf8") }));

describe("@latchkey/sdk", () => {
  it("imports only its own files", () => {
    const offenders: string[] = [];
    for (const { file, source } of sources) {
      for (const match of source.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)) {
        const specifier = match[1] ?? match[2] ?? "";
        if (!specifier.startsWith("./")) offenders.push(`${file}: ${specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("uses no Node global (Buffer, process, require) that edge runtimes lack", () => {
    const offenders = sources.flatMap(({ file, source }) =>
      [...source.matchAll(/\b(Buffer|require|__dirname)\b|(?<![.?]\s*)\bprocess\./g)].map((m) => `${file}: ${m[0]}`),
    );
    expect(offenders).toEqual([]);
  });

  it("declares no runtime dependency", () => {
    const pkg = JSON.parse(readFileSync(path.join(dir, "..", "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
  });
});
