// The SDK ships to extension code on any JavaScript runtime: it must not pull in the server (database,
// vault, env, Next), any package (zero runtime dependencies) or a Node-only API. This reads every SDK
// source file and fails on any import (of any kind: TypeScript's pre-processor lists them) from outside
// src/, and on Node globals outside a guarded lookup.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const dir = import.meta.dirname;
const sources = readdirSync(dir, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .map((file) => ({ file, source: readFileSync(path.join(dir, file), "utf8") }));

/**
 * Every module a source names, as TypeScript's own pre-processor finds them: `import … from`, `import "x"`,
 * `export … from`, `import type`, dynamic `import()`, `require()` and `/// <reference path>`.
 */
function specifiersOf(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return [...info.importedFiles, ...info.referencedFiles].map((ref) => ref.fileName);
}

describe("@latchkey/sdk", () => {
  it("finds every kind of import (the check below can fail)", () => {
    const every = [
      'import a from "static";',
      'import "side-effect";',
      'export { b } from "re-export";',
      'export * from "star";',
      'import type { C } from "type-only";',
      'const d = await import("dynamic");',
      'const e = require("required");',
      'import f = require("import-equals");',
    ].join("\n");
    expect(specifiersOf(every).sort()).toEqual(
      ["dynamic", "import-equals", "re-export", "required", "side-effect", "star", "static", "type-only"].sort(),
    );
  });

  it("imports only its own files", () => {
    const offenders = sources.flatMap(({ file, source }) =>
      specifiersOf(source)
        .filter((specifier) => !specifier.startsWith("./"))
        .map((specifier) => `${file}: ${specifier}`),
    );
    expect(offenders).toEqual([]);
    // And the files were read at all.
    expect(sources.length).toBeGreaterThan(0);
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
