// The SDK ships to extension code: it must not pull in the server (database, vault, crypto, env,
// Next). This reads every SDK source file and fails on any import from outside lib/sdk other than the
// few allowed packages.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ALLOWED = new Set(["node:crypto"]);

describe("latchkey/sdk", () => {
  it("imports nothing from the server", () => {
    const dir = import.meta.dirname;
    const offenders: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
      const source = readFileSync(path.join(dir, file), "utf8");
      for (const match of source.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)) {
        const specifier = match[1] ?? match[2] ?? "";
        if (specifier.startsWith("./") || ALLOWED.has(specifier)) continue;
        offenders.push(`${file}: ${specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
