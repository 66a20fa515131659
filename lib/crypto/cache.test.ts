import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { DekCache } from "@/lib/crypto/cache";

// Records the contents of every buffer just before it is zero-filled, to prove dropped keys are wiped.
const originalFill = Buffer.prototype.fill;
function watchWipes(): string[] {
  const wiped: string[] = [];
  Buffer.prototype.fill = function (this: Buffer, ...args: Parameters<Buffer["fill"]>) {
    if (args[0] === 0) wiped.push(this.toString("hex"));
    return originalFill.apply(this, args);
  };
  return wiped;
}
afterEach(() => {
  Buffer.prototype.fill = originalFill;
});

function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe("DekCache", () => {
  it("returns what was stored and counts hits and misses", () => {
    const cache = new DekCache({ maxEntries: 4, ttlMs: 60_000 });
    const key = randomBytes(32);
    expect(cache.get("dek_1")).toBeUndefined();
    cache.set("dek_1", key);
    expect(cache.get("dek_1")).toEqual(key);
    expect(cache.get("dek_1")).toEqual(key);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, size: 1 });
  });

  it("evicts the least recently used key and wipes it", () => {
    const wiped = watchWipes();
    const cache = new DekCache({ maxEntries: 2, ttlMs: 60_000 });
    const [a, b, c] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    cache.set("a", a);
    cache.set("b", b);
    cache.get("a");
    cache.set("c", c);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toEqual(a);
    expect(cache.get("c")).toEqual(c);
    expect(cache.size).toBe(2);
    expect(cache.stats().evictions).toBe(1);
    expect(wiped).toContain(b.toString("hex"));
  });

  it("expires keys after the TTL, counted as misses, and wipes them", () => {
    const wiped = watchWipes();
    const time = clock();
    const cache = new DekCache({ maxEntries: 4, ttlMs: 1_000, now: time.now });
    const key = randomBytes(32);
    cache.set("dek_1", key);
    time.advance(999);
    expect(cache.get("dek_1")).toEqual(key);
    time.advance(1);
    expect(cache.get("dek_1")).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, expirations: 1 });
    expect(wiped).toContain(key.toString("hex"));
  });

  it("does not keep expired keys in memory just because nobody read them", () => {
    const time = clock();
    const cache = new DekCache({ maxEntries: 10, ttlMs: 1_000, now: time.now });
    cache.set("old", randomBytes(32));
    time.advance(5_000);
    cache.set("new", randomBytes(32));
    expect(cache.size).toBe(1);
  });

  it("owns its copies: callers' buffers are neither wiped by eviction nor able to change the cache", () => {
    const cache = new DekCache({ maxEntries: 1, ttlMs: 60_000 });
    const key = randomBytes(32);
    const expected = Buffer.from(key);
    cache.set("a", key);
    key.fill(0);
    const handedOut = cache.get("a");
    expect(handedOut).toEqual(expected);
    handedOut?.fill(0xff);
    expect(cache.get("a")).toEqual(expected);

    const inUse = cache.get("a");
    cache.set("b", randomBytes(32)); // evicts "a" while a caller may still be sealing with it
    expect(inUse).toEqual(expected);
  });

  it("wipes on delete and clear", () => {
    const wiped = watchWipes();
    const cache = new DekCache({ maxEntries: 4, ttlMs: 60_000 });
    const [a, b] = [randomBytes(32), randomBytes(32)];
    cache.set("a", a);
    cache.set("b", b);
    expect(cache.delete("a")).toBe(true);
    expect(cache.delete("a")).toBe(false);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get("b")).toBeUndefined();
    expect(wiped).toEqual(expect.arrayContaining([a.toString("hex"), b.toString("hex")]));
  });

  it("wipes the copy it held when a key is stored again under the same id", () => {
    const wiped = watchWipes();
    const cache = new DekCache({ maxEntries: 4, ttlMs: 60_000 });
    const [first, second] = [randomBytes(32), randomBytes(32)];
    cache.set("a", first);
    cache.set("a", second);
    expect(cache.get("a")).toEqual(second);
    expect(wiped).toContain(first.toString("hex"));
    expect(cache.stats()).toMatchObject({ evictions: 0, size: 1 });
  });

  it("rejects a configuration that would be unbounded", () => {
    expect(() => new DekCache({ maxEntries: 0, ttlMs: 1_000 })).toThrow(RangeError);
    expect(() => new DekCache({ maxEntries: 10, ttlMs: 0 })).toThrow(RangeError);
  });
});
