// In-memory cache of unwrapped data keys, so the read path makes no KMS call. Bounded in both count and
// age so a leaked process image holds few keys, and every key the cache drops is zero-filled first.
//
// Ownership: set() copies the key in and get() hands out a copy, so zero-filling on eviction can never
// wipe a buffer a caller is still encrypting with (which would silently seal under an all-zero key).

export interface DekCacheOptions {
  maxEntries: number;
  ttlMs: number;
  now?: () => number;
}

export interface DekCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  expirations: number;
  size: number;
}

interface Entry {
  key: Buffer;
  expiresAt: number;
}

export class DekCache {
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  // Map iteration order is insertion order; re-inserting on hit makes the first entry the least recent.
  readonly #entries = new Map<string, Entry>();
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #expirations = 0;

  constructor(options: DekCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError("DekCache maxEntries must be a positive integer");
    }
    if (!(options.ttlMs > 0)) throw new RangeError("DekCache ttlMs must be positive");
    this.#maxEntries = options.maxEntries;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): Buffer | undefined {
    const entry = this.#entries.get(id);
    if (!entry) {
      this.#misses++;
      return undefined;
    }
    if (this.#now() >= entry.expiresAt) {
      this.#drop(id, entry);
      this.#expirations++;
      this.#misses++;
      return undefined;
    }
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    this.#hits++;
    return Buffer.from(entry.key);
  }

  // The TTL runs from set(), not from the last read, so a hot key is still re-unwrapped periodically.
  set(id: string, key: Buffer): void {
    const existing = this.#entries.get(id);
    if (existing) this.#drop(id, existing);
    this.prune();
    this.#entries.set(id, { key: Buffer.from(key), expiresAt: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.entries().next().value;
      if (!oldest) break;
      this.#drop(oldest[0], oldest[1]);
      this.#evictions++;
    }
  }

  delete(id: string): boolean {
    const entry = this.#entries.get(id);
    if (!entry) return false;
    this.#drop(id, entry);
    return true;
  }

  // Expired keys are also dropped here (and on every set) so an unread key does not outlive its TTL
  // in memory just because nothing pushed it out of the LRU.
  prune(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) {
      if (now >= entry.expiresAt) {
        this.#drop(id, entry);
        this.#expirations++;
      }
    }
  }

  clear(): void {
    for (const [id, entry] of this.#entries) this.#drop(id, entry);
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

  #drop(id: string, entry: Entry): void {
    entry.key.fill(0);
    this.#entries.delete(id);
  }
}
