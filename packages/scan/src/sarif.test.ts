import fs from "node:fs";
import path from "node:path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { fingerprint } from "./baseline";
import { toSarif } from "./sarif";
import { scanFiles } from "./scan";

const schema = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "fixtures/sarif-schema-2.1.0.json"), "utf8")) as object;

function validator() {
  // The schema's language pattern is not a valid Unicode-mode regular expression; read it as ES5 did.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

const files = [
  { path: "src/app.ts", content: 'const k = process.env.STRIPE_KEY;\nconst id = ctx.config.get("spotify.client_id");\n' },
  {
    path: "src/run.ts",
    content:
      "// latchkey-allow-plaintext-credential: read once by the importer\nconst t = process.env.OLD_TOKEN;\nexport const f = (c: string) => eval(c);\n",
  },
  { path: "app dir/ä.py", content: 'import os\nsk = os.environ.get("STRIPE_KEY")\n' },
];

describe("SARIF output", () => {
  it("is a valid SARIF 2.1.0 log (checked against the 2.1.0 JSON schema)", () => {
    const report = scanFiles(files, {
      declared: [],
      baseline: new Set([fingerprint("env-credential-read", "app dir/ä.py", 'sk = os.environ.get("STRIPE_KEY")', 0)]),
    });
    expect(report.findings.length).toBe(5);
    const validate = validator();
    const log = JSON.parse(JSON.stringify(toSarif(report)));
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("says what GitHub code scanning shows: rule, level, location, fingerprint, exception, baseline", () => {
    const baselined = fingerprint("env-credential-read", "app dir/ä.py", 'sk = os.environ.get("STRIPE_KEY")', 0);
    const log = toSarif(scanFiles(files, { declared: [], baseline: new Set([baselined]) })) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } };
        results: Record<string, unknown>[];
      }[];
    };
    expect(log.version).toBe("2.1.0");
    const [run] = log.runs;
    expect(run?.tool.driver.rules.find((r) => r.id === "env-credential-read")?.defaultConfiguration.level).toBe("error");
    expect(run?.tool.driver.rules.find((r) => r.id === "dynamic-code")?.defaultConfiguration.level).toBe("warning");
    const byRule = (id: string) => run?.results.filter((r) => r.ruleId === id) ?? [];
    expect(byRule("env-credential-read")).toEqual([
      expect.objectContaining({
        level: "error",
        baselineState: "unchanged",
        locations: [
          expect.objectContaining({
            physicalLocation: expect.objectContaining({ artifactLocation: { uri: "app%20dir/%C3%A4.py", uriBaseId: "SRCROOT" } }),
          }),
        ],
      }),
      expect.objectContaining({
        level: "error",
        locations: [
          expect.objectContaining({
            physicalLocation: expect.objectContaining({
              region: expect.objectContaining({ startLine: 1, startColumn: 11, snippet: { text: "process.env.STRIPE_KEY" } }),
            }),
          }),
        ],
      }),
      expect.objectContaining({
        level: "warning",
        properties: { "latchkey-severity": "warn", exception: "read once by the importer", exceptionLine: 1 },
      }),
    ]);
    expect(byRule("env-credential-read")[1]?.partialFingerprints).toEqual({
      "latchkeyFingerprint/v1": expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it("the schema rejects a log that breaks it (the check can fail)", () => {
    const validate = validator();
    const log = JSON.parse(JSON.stringify(toSarif(scanFiles(files, { declared: [] })))) as { runs: { results: { level: string }[] }[] };
    const first = log.runs[0]?.results[0];
    if (first) first.level = "fatal";
    expect(validate(log)).toBe(false);
  });
});
