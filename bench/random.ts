// The benchmarks' one deterministic random source, so every run measures the same input in the same
// order and figures compare like for like. Tests use fast-check instead (properties with shrinking and a
// printed seed); a benchmark wants none of that, only a fixed stream of numbers, so this stays a plain
// generator rather than sampling fast-check arbitraries on the measured path.

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator, public domain): a function returning numbers in [0, 1),
 * the same sequence for the same `seed` on every run and platform.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
