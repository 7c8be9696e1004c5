/**
 * A small seeded pseudo-random number generator and helpers. Every random choice in this package takes a seed
 * (or a `rand` function built from one), so that corpora and instruction sets are reproducible.
 *
 * @packageDocumentation
 */
import { DataSynthError } from './error';

/** Thrown for an invalid seed or argument of the random helpers (names the function and the argument). */
export class RandomError extends DataSynthError {
  override name = 'RandomError';
}

/** A function returning uniformly distributed numbers in [0, 1). */
export type Rand = () => number;

/**
 * Mulberry32: a fast 32-bit seeded PRNG. The same seed always gives the same sequence.
 *
 * @param seed - any number; it is truncated to a 32-bit unsigned integer.
 * @returns a function that returns numbers in [0, 1).
 */
export function mulberry32(seed: number): Rand {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new RandomError(`mulberry32: seed must be a finite number, got ${String(seed)}`);
  }
  let a = seed >>> 0;
  return function next(): number {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An integer in [0, n) drawn with `rand`.
 *
 * @param n - exclusive upper bound, a positive integer.
 * @param rand - the generator (e.g. from {@link mulberry32}).
 */
export function randInt(n: number, rand: Rand): number {
  if (!Number.isInteger(n) || n <= 0) {
    throw new RandomError(`randInt: n must be a positive integer, got ${n}`);
  }
  return Math.floor(rand() * n);
}

/**
 * A shuffled copy of `xs` (Fisher–Yates); the input is not modified.
 *
 * @param xs - the items.
 * @param rand - the generator (e.g. from {@link mulberry32}).
 * @returns a new array holding the same items in random order.
 */
export function shuffle<T>(xs: readonly T[], rand: Rand): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}

/**
 * One item of `xs`, chosen uniformly.
 *
 * @param xs - a non-empty array.
 * @param rand - the generator.
 * @throws RandomError when `xs` is empty.
 */
export function pick<T>(xs: readonly T[], rand: Rand): T {
  if (xs.length === 0) throw new RandomError('pick: xs must be non-empty, got length 0');
  return xs[Math.floor(rand() * xs.length)] as T;
}

/**
 * `k` distinct items of `xs` (without replacement), in random order. When `k >= xs.length`, all items are
 * returned shuffled.
 *
 * @param xs - the items.
 * @param k - how many to draw, a non-negative integer.
 * @param rand - the generator.
 */
export function sample<T>(xs: readonly T[], k: number, rand: Rand): T[] {
  if (!Number.isInteger(k) || k < 0) {
    throw new RandomError(`sample: k must be a non-negative integer, got ${k}`);
  }
  const n = xs.length;
  const m = Math.min(k, n);
  // Partial Fisher–Yates on a copy: O(n) copy, O(m) swaps.
  const out = xs.slice();
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out.slice(0, m);
}

/**
 * Derive an independent 32-bit seed from a base seed and a string or number key (FNV-1a mix), so that separate
 * components can each get their own stream from one user-supplied seed.
 *
 * @param seed - the base seed.
 * @param key - a label such as a task name.
 */
export function deriveSeed(seed: number, key: string | number): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  const s = String(key);
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // final avalanche
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}
