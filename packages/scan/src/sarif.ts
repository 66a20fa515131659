// SARIF 2.1.0 output (OASIS Static Analysis Results Interchange Format), the format GitHub code scanning
// uploads: one run, the rule catalogue as `tool.driver.rules`, one result per finding with its physical
// location, our fingerprint under `partialFingerprints`, the exception reason as a property and baseline
// findings as externally suppressed. Validated against the 2.1.0 JSON schema in sarif.test.ts.
import { RULES, RULE_IDS } from "./rules";
import type { ScanReport } from "./types";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/** The report as a SARIF 2.1.0 log (a plain object; JSON.stringify it). */
export function toSarif(report: ScanReport): Record<string, unknown> {
  const index = new Map(RULE_IDS.map((id, i) => [id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "latchkey-scan",
            version: report.scanner.version,
            rules: RULE_IDS.map((id) => {
              const rule = RULES[id];
              return {
                id,
                name: rule.title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : "")),
                shortDescription: { text: rule.title },
                fullDescription: { text: rule.explanation },
                help: {
                  text: `${rule.explanation}\n\nHow to fix: ${rule.fix}`,
                  markdown: `${rule.explanation}\n\n**How to fix:** ${rule.fix}`,
                },
                defaultConfiguration: { level: rule.severity === "block" ? "error" : "warning" },
                properties: { "latchkey-severity": rule.severity, tags: ["security", "credentials"] },
              };
            }),
          },
        },
        originalUriBaseIds: { SRCROOT: { description: { text: "The extension's root directory." } } },
        results: report.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule),
          level: f.severity === "block" ? "error" : "warning",
          message: { text: `${f.message}${f.exception ? ` Exception: ${f.exception.reason}` : ""}${f.note ? ` ${f.note}` : ""}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.path.split("/").map(encodeURIComponent).join("/"), uriBaseId: "SRCROOT" },
                region: {
                  startLine: f.line,
                  startColumn: f.column,
                  endLine: f.endLine,
                  endColumn: f.endColumn,
                  snippet: { text: f.snippet },
                },
                contextRegion: {
                  startLine: f.context[0]?.line ?? f.line,
                  endLine: f.context[f.context.length - 1]?.line ?? f.line,
                  snippet: { text: f.context.map((c) => c.text).join("\n") },
                },
              },
            },
          ],
          partialFingerprints: { "latchkeyFingerprint/v1": f.fingerprint },
          ...(f.baselined
            ? {
                baselineState: "unchanged",
                suppressions: [{ kind: "external", justification: "Accepted in latchkey-scan-baseline.json." }],
              }
            : {}),
          properties: {
            "latchkey-severity": f.severity,
            ...(f.exception ? { exception: f.exception.reason, exceptionLine: f.exception.line } : {}),
          },
        })),
        properties: { filesScanned: report.files.scanned, manifestChecked: report.manifestChecked },
      },
    ],
  };
}
