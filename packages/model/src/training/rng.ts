/**
 * Seeded pseudo-random numbers shared by the trainer (data order) and LoRA (init): small, fast,
 * identical on every backend because they run in JavaScript.
 *
 * @packageDocumentation
 */

/**
 * A seeded generator of uniform numbers in [0, 1) (mulberry32). The generator's whole state is one
 * uint32, so it can be saved and restored: see {@link Mulberry32.state}.
 */
export class Mulberry32 {
  /** The generator's state (a uint32); assign a saved value to restore it. */
  state: number;

  /** @param seed - any number; its low 32 bits are used */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/**
 * Mixes numbers and strings into one uint32 seed (FNV-1a over the parts), so that derived streams
 * (per epoch, per module) are independent of each other and stable across runs.
 */
export function mixSeed(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  const byte = (b: number): void => {
    h ^= b & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const part of parts) {
    if (typeof part === 'number') {
      const lo = part >>> 0;
      const hi = Math.floor(part / 4294967296) >>> 0;
      for (const w of [lo, hi]) for (let s = 0; s < 32; s += 8) byte(w >>> s);
      byte(0x01);
    } else {
      for (let i = 0; i < part.length; i++) {
        const c = part.charCodeAt(i);
        byte(c);
        byte(c >>> 8);
      }
      byte(0x02);
    }
  }
  // final avalanche (murmur3 fmix32)
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
