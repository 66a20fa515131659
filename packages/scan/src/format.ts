// Words for a scan report: the refusal a blocked publish shows (the same sentence in the dashboard, the
// API and the CLI) and the CLI's human-readable listing.
import { RULES } from "./rules";
import type { Finding, ScanReport } from "./types";

/** How many findings the refusal names before "…and N more". */
export const FIRST_FINDINGS = 3;

/** The findings that stop a publish: blocks that are not accepted by the baseline. */
export function blockingFindings(report: Pick<ScanReport, "findings">): Finding[] {
  return report.findings.filter((f) => f.severity === "block" && !f.baselined);
}

/**
 * The refusal for a blocked publish, e.g. `Publish blocked: 2 credential reads bypass the vault
 * (src/app.ts:14:12 process.env.STRIPE_KEY; src/app.ts:31:5 ctx.config.get("spotify.client_id")).
 * Declare them in the manifest and read them with secrets.get, or mark a justified exception.`
 * Null when nothing blocks.
 */
export function blockedMessage(report: Pick<ScanReport, "findings">): string | null {
  const blocking = blockingFindings(report);
  if (blocking.length === 0) return null;
  const n = blocking.length;
  const first = blocking
    .slice(0, FIRST_FINDINGS)
    .map((f) => `${f.path}:${f.line}:${f.column} ${f.snippet}`)
    .join("; ");
  const more = n > FIRST_FINDINGS ? `; and ${n - FIRST_FINDINGS} more` : "";
  const noun = n === 1 ? "credential read bypasses" : "credential reads bypass";
  const them = n === 1 ? "it" : "them";
  return `Publish blocked: ${n} ${noun} the vault (${first}${more}). Declare ${them} in the manifest and read ${them} with secrets.get, or mark a justified exception.`;
}

/** The CLI's default output: each finding with its code lines, why and how to fix; then a summary. */
export function formatHuman(report: ScanReport): string {
  const out: string[] = [];
  for (const f of report.findings) {
    const rule = RULES[f.rule];
    const label = f.baselined ? "baseline" : f.severity === "block" ? "BLOCK" : "warn";
    out.push(`${f.path}:${f.line}:${f.column}  ${label}  ${f.rule}  ${f.message}`);
    const width = String(f.context[f.context.length - 1]?.line ?? f.line).length;
    for (const c of f.context) out.push(`  ${c.line === f.line ? ">" : " "} ${String(c.line).padStart(width)} | ${c.text}`);
    if (f.exception) out.push(`    exception: ${f.exception.reason}`);
    if (f.note) out.push(`    note: ${f.note}`);
    out.push(`    why: ${rule.explanation}`);
    out.push(`    fix: ${rule.fix}`);
    out.push("");
  }
  const s = report.summary;
  const parts = [`${s.blocking} blocking`, `${s.warnings} ${s.warnings === 1 ? "warning" : "warnings"}`];
  if (s.exceptions) parts.push(`${s.exceptions} ${s.exceptions === 1 ? "exception" : "exceptions"}`);
  if (s.baselined) parts.push(`${s.baselined} accepted by the baseline`);
  out.push(`${parts.join(", ")} in ${report.files.scanned} ${report.files.scanned === 1 ? "file" : "files"}.`);
  if (!report.manifestChecked)
    out.push("No manifest found: secret names read through the SDK were not checked against it (--manifest FILE).");
  const blocked = blockedMessage(report);
  if (blocked) out.push(blocked);
  return out.join("\n");
}
