import { describe, expect, it } from "vitest";
import { CORPUS } from "./corpus/cases";
import { evaluateCase, evaluateCorpus } from "./corpus/evaluate";
import { languageOf } from "./select";

describe("labelled corpus", () => {
  it("has at least 100 cases in both languages, positives and negatives", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(100);
    const python = CORPUS.filter((c) => languageOf(c.path) === "python");
    const js = CORPUS.filter((c) => languageOf(c.path) && languageOf(c.path) !== "python");
    expect(python.length).toBeGreaterThanOrEqual(40);
    expect(js.length).toBeGreaterThanOrEqual(40);
    expect(CORPUS.filter((c) => c.expect.length === 0).length).toBeGreaterThanOrEqual(30);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  it.each(CORPUS.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(evaluateCase(c).got).toEqual([...c.expect].sort());
  });

  it("reaches the precision and recall goal (both at least 0.95)", () => {
    const { precision, recall } = evaluateCorpus();
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });
});
