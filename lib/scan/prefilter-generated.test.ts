import { describe, expect, it } from "vitest";
import { generateExtension } from "@/bench/scan";
import { newScanStats, scanFilesWith } from "@/packages/scan/src/scan";

// The scanner's prefilter (packages/scan/src/prefilter.ts, quiet-sdk.ts) on files of the extension that
// `npm run bench:scan` generates: with it, the findings are those of a scan that parses every code file
// and runs every rule group. This test lives here because packages may not import bench/ (the generator);
// the corpus and the crafted cases are in packages/scan/src/prefilter.test.ts.
describe("prefilter on the generated extension", () => {
  it("changes no finding on a sample of every kind of file", () => {
    const files = generateExtension(400, 7);
    const declared = [{ scope: "user" as const, name: "spotify_api_key", writeMode: "user" as const }];
    const stats = newScanStats();
    const on = scanFilesWith(files, { declared }, { prefilter: true, stats });
    const off = scanFilesWith(files, { declared }, { prefilter: false });
    expect(on.findings).toEqual(off.findings);
    expect(on.findings).toEqual([]);
    // Without a manifest the SDK name rules do not run; the rest is the same.
    expect(scanFilesWith(files, { declared: null }, { prefilter: true }).findings).toEqual(
      scanFilesWith(files, { declared: null }, { prefilter: false }).findings,
    );
    // The sample has files of every kind, and the prefilter did its work on them.
    expect(new Set(files.map((f) => f.path.split("/")[1]?.replace(/[-_]\d+.*$/, "")))).toEqual(
      new Set(["components", "lib", "handlers", "config", "models", "d"]),
    );
    expect(stats.unparsed).toBeGreaterThan(0);
    expect(stats.sdkQuiet).toBeGreaterThan(0);
    // Four whole scans of 400 files: 10.5 s measured on a busy 2-core machine, past vitest's 5 s default.
  }, 30_000);

  it("reports what a changed handler does, with the prefilter as without", () => {
    const declared = [{ scope: "user" as const, name: "spotify_api_key", writeMode: "user" as const }];
    const handler = generateExtension(60).find((f) => f.path.startsWith("src/handlers/"));
    expect(handler).toBeDefined();
    const logged = {
      path: "src/handlers/logged.ts",
      content: (handler?.content ?? "").replace("const url =", "console.log(apiKey);\n  const url ="),
    };
    const on = scanFilesWith([logged], { declared }, { prefilter: true });
    expect(on.findings.map((f) => f.rule)).toContain("secret-logged");
    expect(on.findings).toEqual(scanFilesWith([logged], { declared }, { prefilter: false }).findings);
  });
});
