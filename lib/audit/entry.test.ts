import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalizer, entryLeafHash, fastCanonical, toLogEntry, type EntryEvent } from "./entry";
import { leafHash } from "./merkle";

// JSON values with the awkward parts: escapes, control characters, non-ASCII and astral characters, keys
// that sort differently by code unit than by code point, floats and exponents. (entry.fuzz.test.ts runs
// the wider property; this one is the quick check of every run.)
const pieces = ["a", "Z", "é", "\u20ac", "\ud83d\ude00", '"', "\\", "\n", "\u0001", "\u007f", "\u2028", "key", "\ufb33", " "];
const text = fc.string({ unit: fc.constantFrom(...pieces), maxLength: 5 });
const num = fc.constantFrom(0, -0, 1, -1, 1.5, 1e21, 1e-7, 123456789.125, -4.5e-300, 2 ** 53);
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    fc.oneof(fc.constant(null), fc.boolean(), num, text),
    fc.array(tie("json"), { maxLength: 3 }),
    fc.dictionary(text, tie("json"), { maxKeys: 4 }),
  ),
}));

describe("canonical JSON", () => {
  it("matches the canonicalize package byte for byte on generated values", async () => {
    const { default: reference } = await import("canonicalize");
    const canonical = await canonicalizer();
    fc.assert(
      fc.property(json, (v) => {
        expect(canonical(v)).toBe(reference(v));
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it("defers what the fast path cannot prove equal to the package, which then decides", async () => {
    const canonical = await canonicalizer();
    expect(fastCanonical({ a: "\ud800" })).toBeUndefined();
    expect(() => canonical({ a: "\ud800" })).toThrow(/surrogate/i);
    expect(() => canonical({ n: Number.NaN })).toThrow();
    expect(canonical({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
  });

  it("hashes the documented entry shape", async () => {
    const canonical = await canonicalizer();
    const event: EntryEvent = {
      id: 7,
      occurredAt: new Date("2026-01-02T03:04:05.678Z"),
      actorKind: "user",
      actorId: "u-1",
      action: "secret.set",
      target: "ext.api_key",
      extensionId: null,
      orgId: null,
      sourceKind: "ui",
      sourceIp: "127.0.0.1",
      sourceUserAgent: null,
      outcome: "success",
      details: { length: 32 },
    };
    const text =
      '{"action":"secret.set","actor":{"id":"u-1","kind":"user"},"details":{"length":32},"extension_id":null,"id":7,' +
      '"occurred_at":"2026-01-02T03:04:05.678Z","org_id":null,"outcome":"success","source":{"ip":"127.0.0.1","kind":"ui","user_agent":null},' +
      '"target":"ext.api_key","v":1}';
    expect(canonical(toLogEntry(event))).toBe(text);
    expect(entryLeafHash(canonical, event).equals(leafHash(Buffer.from(text)))).toBe(true);
  });
});

describe("canonical JSON edge cases", () => {
  it("agrees with the package on index-like keys, escapes and numbers", async () => {
    const { default: reference } = await import("canonicalize");
    const canonical = await canonicalizer();
    for (const v of [
      { "10": 1, "9": 2, a: 3 },
      { "\\ud800": "literal backslash-u text", b: "\ud83d\ude00" },
      [1e21, 1e-7, -0, 0.1 + 0.2, 5e-324],
      { "\u00e9": 1, e: 2, "\u20ac": 3, "\ufb33": 4, "\ud83d\ude00": 5 },
      { nested: [{ z: 1, a: [null, undefined, { y: "\u0000\u001f" }] }] },
    ]) {
      expect(canonical(v)).toBe(reference(v));
    }
  });
});
