/** Uniform numbers in [0, 1) from a seed, the same sequence on every run. */
export interface SeededRandom {
  next(): number;
  /** A whole number in [min, max]. */
  between(min: number, max: number): number;
}

/**
 * A small PRNG (mulberry32) for one scenario: `stream` (the scenario's name) is mixed into the
 * seed so that scenarios do not share a sequence, and adding draws to one leaves the others be.
 */
export function seededRandom(seed: number, stream: string): SeededRandom {
  let state = (seed ^ hash(stream)) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, between: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

/** FNV-1a of the text, as an unsigned 32-bit number. */
export function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}
