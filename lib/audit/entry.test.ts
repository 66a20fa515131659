import { describe, expect, it } from "vitest";
import { canonicalizer, entryLeafHash, fastCanonical, toLogEntry, type EntryEvent } from "./entry";
import { leafHash } from "./merkle";

// A seeded generator of JSON values with the awkward parts: escapes, control characters, non-ASCII and
// astral characters, keys that sort differently by code unit than by code point, floats and exponents.
function generator(seed: number) {
  let state = seed >>> 0;
  const rand = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pieces = ["a", "Z", "é", "\u20ac", "\ud83d\ude00", '"', "\\", "\n", "\u0001", "\u007f", "\u2028", "key", "\ufb33", " "];
  const str = () => Array.from({ length: Math.floor(rand() * 6) }, () => pieces[Math.floor(rand() * pieces.length)]).join("");
  const num = () => [0, -0, 1, -1, 1.5, 1e21, 1e-7, 123456789.125, -4.5e-300, 2 ** 53][Math.floor(rand() * 10)] ?? 0;
  const value = (depth: number): unknown => {
    const r = rand();
    if (depth > 3 || r < 0.3) return [null, true, false, num(), str()][Math.floor(rand() * 5)];
    if (r < 0.5) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [str(), value(depth + 1)]));
  };
  return value;
}

describe("canonical JSON", () => {
  it("matches the canonicalize package byte for byte on generated values", async () => {
    const { default: reference } = await import("canonicalize");
    const canonical = await canonicalizer();
    const value = generator(42);
    for (let i = 0; i < 3000; i++) {
      const v = value(0);
      expect(canonical(v)).toBe(reference(v));
    }
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
