// The baseline file (`latchkey-scan-baseline.json` at the extension's root) lets an existing extension
// adopt the scan: the findings it lists by fingerprint are accepted (shown, never blocking) while every
// new finding blocks. `latchkey scan DIR --write-baseline` writes it from the current findings.
import { createHash } from "node:crypto";
import type { Finding } from "./types";

export interface BaselineFile {
  version: 1;
  /** Accepted findings; `rule` and `path` are for the reader, only `fingerprint` is compared. */
  findings: { fingerprint: string; rule: string; path: string }[];
}

/**
 * A finding's fingerprint: SHA-256 over the rule, the path, the flagged line's text with its whitespace
 * collapsed, and which occurrence of that same line it is, as 32 hex digits. Lines moving up or down keep
 * their fingerprint; editing the flagged line makes a new one.
 */
export function fingerprint(rule: string, path: string, lineText: string, occurrence: number): string {
  return createHash("sha256")
    .update(`${rule}\n${path}\n${lineText.replace(/\s+/g, " ").trim()}\n${occurrence}`)
    .digest("hex")
    .slice(0, 32);
}

/** Parses a baseline file; throws an Error naming what is wrong. */
export function parseBaseline(text: string): Set<string> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`latchkey-scan-baseline.json is not valid JSON: ${(error as Error).message}`);
  }
  const findings = (data as { findings?: unknown } | null)?.findings;
  if (!Array.isArray(findings)) throw new Error('latchkey-scan-baseline.json must be an object with a "findings" array.');
  const set = new Set<string>();
  findings.forEach((f, i) => {
    const fp = (f as { fingerprint?: unknown } | null)?.fingerprint;
    if (typeof fp !== "string" || !/^[0-9a-f]{32}$/.test(fp)) {
      throw new Error(`latchkey-scan-baseline.json: findings[${i}].fingerprint must be 32 hexadecimal digits.`);
    }
    set.add(fp);
  });
  return set;
}

/** The baseline file that accepts every given finding. */
export function baselineFor(findings: Finding[]): BaselineFile {
  return {
    version: 1,
    findings: findings.map((f) => ({ fingerprint: f.fingerprint, rule: f.rule, path: f.path })),
  };
}
