// Property tests (fast-check, shrinking a failure to a smallest case) for the fast canonical encoders in
// entry.ts: over random events and values with the awkward parts of JSON and UTF-16, they must write
// exactly what the `canonicalize` package (the reference RFC 8785 implementation) writes, and refuse
// exactly what it refuses.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalEntry,
  canonicalizer,
  entryLeafDigest,
  entryLeafHash,
  fastCanonical,
  isoString,
  toLogEntry,
  type EntryEvent,
} from "./entry";
import { leafHash, toDigest } from "./merkle";

const NASTY = [
  "a",
  "Z",
  "0",
  "é",
  "\u00ff",
  "\u20ac",
  "\ud83d\ude00", // an emoji: a valid surrogate pair
  "\ud800", // lone high surrogate
  "\udfff", // lone low surrogate
  '"',
  "\\",
  "\\ud800", // the text of an escape, not a surrogate
  "/",
  "\n",
  "\r",
  "\t",
  "\b",
  "\f",
  "\u0000",
  "\u0001",
  "\u001f",
  "\u007f",
  "\u0080",
  "\u2028",
  "\u2029",
  "\ufeff",
  "\ufb33",
  "\uffff",
  " ",
  "key",
  "10",
  "9",
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  1.5,
  0.1 + 0.2,
  1e21,
  1e-7,
  1e-6,
  123456789.125,
  -4.5e-300,
  5e-324,
  2 ** 53,
  -(2 ** 53) - 2,
  1.7976931348623157e308,
];

/**
 * Arbitraries for events and JSON-ish values. `nasty` text is built from the awkward pieces above (lone
 * surrogates, controls, escapes' look-alikes) or any code points; otherwise it is ordinary ("user-123").
 */
function arbitraries(options: { nasty: boolean }) {
  const plain = fc.nat({ max: 999_999 }).map((n) => `user-${n}`);
  const text: fc.Arbitrary<string> = options.nasty
    ? fc.oneof(
        { arbitrary: plain, weight: 2 },
        { arbitrary: fc.string({ unit: fc.constantFrom(...NASTY), maxLength: 6 }), weight: 2 },
        { arbitrary: fc.string({ unit: "binary", maxLength: 6 }), weight: 1 },
      )
    : plain;
  const num = fc.oneof(fc.constantFrom(...NUMBERS), fc.double(), fc.integer());
  const scalar = fc.oneof(fc.constant(null), fc.boolean(), num, text, fc.constant(undefined));
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", maxDepth: 4 },
      { arbitrary: scalar, weight: 3 },
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(text, tie("value"), { maxKeys: 4 }),
    ),
  }));
  // Every date form toISOString writes: four-digit years, and six-digit ones with a sign.
  const date = fc.oneof(
    fc.date({ min: new Date(Date.UTC(2026, 0, 1)), max: new Date(Date.UTC(2026, 5, 1)), noInvalidDate: true }),
    fc.date({ noInvalidDate: true }),
  );
  const nullable = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: null, freq: 3 });
  const event: fc.Arbitrary<EntryEvent> = fc.record({
    id: fc.oneof({ arbitrary: fc.nat({ max: 2 ** 40 }), weight: 9 }, { arbitrary: num, weight: 1 }),
    occurredAt: date,
    actorKind: text as fc.Arbitrary<EntryEvent["actorKind"]>,
    actorId: text,
    action: text,
    target: text,
    extensionId: nullable(text),
    orgId: nullable(text),
    sourceKind: text as fc.Arbitrary<EntryEvent["sourceKind"]>,
    sourceIp: nullable(text),
    sourceUserAgent: nullable(text),
    outcome: text as fc.Arbitrary<EntryEvent["outcome"]>,
    details: fc.dictionary(text, value, { maxKeys: 4 }),
  });
  return { event, value, date };
}

// Fixed, so a run is reproducible; on a failure fast-check prints the seed, the path and the shrunk input.
const SEED = 8785;

/** The reference's text, or that it threw or found no JSON form (which canonicalizer() turns into a throw). */
function outcome(compute: () => string | undefined): { text: string } | { error: true } {
  try {
    const text = compute();
    return text === undefined ? { error: true } : { text };
  } catch {
    return { error: true };
  }
}

describe("fast canonical encoders against the canonicalize package", () => {
  it("write every random event's entry exactly as the package does, and hash it the same", async () => {
    const { default: reference } = await import("canonicalize");
    const canonical = await canonicalizer();
    for (const nasty of [false, true]) {
      fc.assert(
        fc.property(arbitraries({ nasty }).event, (e) => {
          const expected = outcome(() => reference(toLogEntry(e)));
          const fast = canonicalEntry(e);
          if (fast !== undefined) expect(fast).toBe("text" in expected ? expected.text : "(the package rejects this entry)");
          if ("text" in expected) {
            expect(canonical(toLogEntry(e))).toBe(expected.text);
            const hash = leafHash(Buffer.from(expected.text, "utf8"));
            expect(entryLeafHash(canonical, e).equals(hash)).toBe(true);
            expect(entryLeafDigest(canonical, e)).toBe(toDigest(hash));
          } else {
            expect(() => entryLeafDigest(canonical, e)).toThrow();
          }
        }),
        { seed: SEED, numRuns: 1500 },
      );
    }
  }, 60_000);

  it("take the fast path for ordinary events", () => {
    const ordinary = arbitraries({ nasty: false }).event.map((e) => ({
      ...e,
      details: { byteLength: e.actorId.length, fingerprint: "a1b2", nested: { z: [1, "é"], a: null } },
    }));
    fc.assert(
      fc.property(ordinary, (e) => {
        expect(canonicalEntry(e)).toBeDefined();
      }),
      { seed: SEED, numRuns: 100 },
    );
  }, 30_000);

  it("write every random JSON value as the package does, or defer it to the package", async () => {
    const { default: reference } = await import("canonicalize");
    const canonical = await canonicalizer();
    let fast = 0;
    const runs = 4000;
    fc.assert(
      fc.property(arbitraries({ nasty: true }).value, (v) => {
        const expected = outcome(() => reference(v));
        const text = fastCanonical(v);
        if (text !== undefined) {
          fast++;
          expect(text).toBe("text" in expected ? expected.text : "(the package rejects this value)");
        }
        if ("text" in expected) expect(canonical(v)).toBe(expected.text);
        else expect(() => canonical(v)).toThrow();
      }),
      { seed: SEED, numRuns: runs },
    );
    // The fast path must actually be exercised, not defer everything.
    expect(fast).toBeGreaterThan(runs / 2);
  }, 60_000);

  it("defers values the package treats specially", async () => {
    const { default: reference } = await import("canonicalize");
    const canonical = await canonicalizer();
    const sparse = new Array<unknown>(3);
    sparse[1] = 1;
    expect(fastCanonical(sparse)).toBeUndefined();
    expect(canonical(sparse)).toBe(reference(sparse));
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    for (const v of [{ at: new Date(0) }, { n: 1n }, [Symbol("s")], { f: () => 1 }, { n: Number.NaN }, [Infinity], { "\ud800": 1 }, cyclic])
      expect(fastCanonical(v)).toBeUndefined();
    expect(canonical({ at: new Date(0), s: [Symbol("s")] })).toBe(reference({ at: new Date(0), s: [Symbol("s")] }));
    expect(() => canonical(cyclic)).toThrow(/circular/i);
  });

  it("formats dates exactly as toISOString, whatever order they come in", () => {
    fc.assert(
      fc.property(arbitraries({ nasty: false }).date, (date) => {
        expect(isoString(date)).toBe(date.toISOString());
      }),
      { seed: SEED, numRuns: 10_000 },
    );
    expect(() => isoString(new Date(Number.NaN))).toThrow(RangeError);
  }, 30_000);
});
