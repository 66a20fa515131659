// In-memory cache of unwrapped data keys, so the read path makes no KMS call. Bounded in both count and
// age (an LRU with a TTL, lru-cache underneath) so a leaked process image holds few keys, and every key
// the cache drops (evicted, expired, replaced, deleted or cleared) is zero-filled first.
//
// Ownership: set() copies the key in and get() hands out a copy, so zero-filling on eviction can never
// wipe a buffer a caller is still encrypting with (which would silently seal under an all-zero key).
import { LRUCache } from "lru-cache";

export interface DekCacheOptions {
  /** Most keys held at once; the least recently used goes first. */
  maxEntries: number;
  /** How long a key stays after set() (ms), however often it is read. */
  ttlMs: number;
  /** The clock, in ms (default Date.now); tests move it instead of waiting. */
  now?: () => number;
}

export interface DekCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  expirations: number;
  size: number;
}

export class DekCache {
  readonly #now: () => number;
  readonly #entries: LRUCache<string, Buffer>;
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #expirations = 0;

  constructor(options: DekCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError("DekCache maxEntries must be a positive integer");
    }
    if (!(options.ttlMs > 0)) throw new RangeError("DekCache ttlMs must be positive");
    this.#now = options.now ?? Date.now;
    this.#entries = new LRUCache<string, Buffer>({
      max: options.maxEntries,
      ttl: Math.ceil(options.ttlMs),
      // The TTL runs from set(), not from the last read, so a hot key is still re-unwrapped periodically.
      updateAgeOnGet: false,
      // Read the injected clock every time (lru-cache otherwise reuses one reading for a millisecond).
      ttlResolution: 0,
      perf: { now: () => this.#now() },
      dispose: (key, _id, reason) => {
        key.fill(0);
        if (reason === "evict") this.#evictions++;
        if (reason === "expire") this.#expirations++;
      },
    });
  }

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): Buffer | undefined {
    const key = this.#entries.get(id);
    if (!key) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return Buffer.from(key);
  }

  set(id: string, key: Buffer): void {
    this.prune();
    // lru-cache counts an entry stale once its age exceeds the TTL; starting the age one millisecond early
    // makes a key expire when its age reaches ttlMs, as documented above.
    this.#entries.set(id, Buffer.from(key), { start: this.#now() - 1 });
  }

  delete(id: string): boolean {
    return this.#entries.delete(id);
  }

  // Expired keys are also dropped here (and on every set) so an unread key does not outlive its TTL
  // in memory just because nothing pushed it out of the LRU.
  prune(): void {
    this.#entries.purgeStale();
  }

  clear(): void {
    this.#entries.clear();
  }

  stats(): DekCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      expirations: this.#expirations,
      size: this.#entries.size,
    };
  }
}
