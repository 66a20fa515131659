// Runs the labelled corpus through the scanner and counts, per case, which expected findings it found
// (true positives), which it missed (false negatives) and which it reported without being asked to
// (false positives). A finding is its rule and effective severity; corpus.test.ts asserts every case,
// `npm run bench:scan` prints precision and recall from the totals.
import { scanFiles } from "../scan";
import { CORPUS, SPOTIFY_MANIFEST, type CorpusCase } from "./cases";

export interface CaseResult {
  case: CorpusCase;
  /** What the scanner reported, as `rule` (block) or `rule:warn`. */
  got: string[];
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

export const label = (rule: string, severity: string): string => (severity === "block" ? rule : `${rule}:warn`);

export function evaluateCase(c: CorpusCase): CaseResult {
  const report = scanFiles([{ path: c.path, content: c.code }], { declared: c.declared ?? SPOTIFY_MANIFEST });
  const got = report.findings.map((f) => label(f.rule, f.severity)).sort();
  const remaining = [...c.expect];
  let truePositives = 0;
  let falsePositives = 0;
  for (const g of got) {
    const i = remaining.indexOf(g);
    if (i >= 0) {
      remaining.splice(i, 1);
      truePositives++;
    } else falsePositives++;
  }
  return { case: c, got, truePositives, falsePositives, falseNegatives: remaining.length };
}

export function evaluateCorpus(cases: CorpusCase[] = CORPUS) {
  const results = cases.map(evaluateCase);
  const sum = (key: "truePositives" | "falsePositives" | "falseNegatives") => results.reduce((n, r) => n + r[key], 0);
  const tp = sum("truePositives");
  const fp = sum("falsePositives");
  const fn = sum("falseNegatives");
  return {
    results,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
  };
}
