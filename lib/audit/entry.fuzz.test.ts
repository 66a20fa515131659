// Property tests for the fast canonical encoders in entry.ts: over many seeded random events and values
// with the awkward parts of JSON and UTF-16, they must write exactly what the `canonicalize` package
// (the reference RFC 8785 implementation) writes, and refuse exactly what it refuses.
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

function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

function generators(seed: number, nastiness: number) {
  const rand = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const plain = () => `user-${Math.floor(rand() * 1e6)}`;
  // Mostly ordinary text, sometimes built from the nasty pieces.
  const str = (): string => (rand() < nastiness ? Array.from({ length: Math.floor(rand() * 6) }, () => pick(NASTY)).join("") : plain());
  const num = () => (rand() < 0.5 ? pick(NUMBERS) : (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20));
  const scalars = [() => null, () => true, () => false, num, str, () => undefined];
  const value = (depth: number): unknown => {
    const r = rand();
    if (depth > 3 || r < 0.4) return pick(scalars)();
    if (r < 0.55) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [str(), value(depth + 1)]));
  };
  // Every date form toISOString writes: four-digit years, and six-digit ones with a sign.
  const date = () =>
    new Date(
      pick([
        () => Date.UTC(2026, 0, 1) + Math.floor(rand() * 1e10),
        () => Math.floor((rand() - 0.5) * 8.64e15),
        () => Math.floor((rand() - 0.5) * 1e14),
      ])(),
    );
  const event = (): EntryEvent => ({
    id: rand() < 0.9 ? Math.floor(rand() * 2 ** 40) : num(),
    occurredAt: date(),
    actorKind: str() as EntryEvent["actorKind"],
    actorId: str(),
    action: str(),
    target: str(),
    extensionId: rand() < 0.3 ? null : str(),
    orgId: rand() < 0.3 ? null : str(),
    sourceKind: str() as EntryEvent["sourceKind"],
    sourceIp: rand() < 0.3 ? null : str(),
    sourceUserAgent: rand() < 0.3 ? null : str(),
    outcome: str() as EntryEvent["outcome"],
    details: value(0) as Record<string, unknown>,
  });
  return { event, value };
}

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
    for (const nastiness of [0, 0.05, 0.5]) {
      const { event } = generators(8785 + nastiness * 100, nastiness);
      for (let i = 0; i < 4000; i++) {
        const e = event();
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
      }
    }
  });

  it("take the fast path for ordinary events", () => {
    const { event } = generators(1, 0);
    for (let i = 0; i < 100; i++) {
      const e = { ...event(), details: { byteLength: i, fingerprint: "a1b2", nested: { z: [1, "é"], a: null } } };
      expect(canonicalEntry(e)).toBeDefined();
    }
  });

  it("write every random JSON value as the package does, or defer it to the package", async () => {
    const { default: reference } = await import("canonicalize");
    const canonical = await canonicalizer();
    const { value } = generators(6962, 0.7);
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = value(0);
      const expected = outcome(() => reference(v));
      const text = fastCanonical(v);
      if (text !== undefined) {
        fast++;
        expect(text).toBe("text" in expected ? expected.text : "(the package rejects this value)");
      }
      if ("text" in expected) expect(canonical(v)).toBe(expected.text);
      else expect(() => canonical(v)).toThrow();
    }
    // The fast path must actually be exercised, not defer everything.
    expect(fast).toBeGreaterThan(10_000);
  });

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
    const rand = random(20);
    for (let i = 0; i < 20_000; i++) {
      const ms = i % 2 === 0 ? Date.UTC(2026, 0, 1) + Math.floor(rand() * 1e9) : Math.floor((rand() - 0.5) * 8.64e15);
      const date = new Date(ms);
      expect(isoString(date)).toBe(date.toISOString());
    }
    expect(() => isoString(new Date(Number.NaN))).toThrow(RangeError);
  });
});
