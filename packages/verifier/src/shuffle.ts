/**
 * The package's one seeded shuffle: every place in `@quarkmed/verifier` that shuffles (pair building, data
 * splits, training orders) calls {@link seededShuffle}, driven by `mulberry32` from `@quarkmed/model`.
 *
 * @packageDocumentation
 */
import { mulberry32 } from '@quarkmed/model';
import { VerifierError } from './error';

/** Thrown for a seed that is not an integer or a generator that is not a function (names the argument). */
export class ShuffleSeedError extends VerifierError {}

/**
 * Shuffles `items` in place (Fisher–Yates) and returns it. With a number, a fresh `mulberry32(seed)` drives the
 * shuffle; with a generator (a `mulberry32` stream shared with other random choices), the shuffle draws
 * `items.length - 1` numbers from it. Deterministic for a seed.
 *
 * @param items - the array to shuffle (modified)
 * @param seedOrRng - an integer seed, or a generator of uniform numbers in [0, 1) such as `mulberry32(seed)`
 * @throws {@link ShuffleSeedError} for a non-integer seed or a non-function generator
 */
export function seededShuffle<T>(items: T[], seedOrRng: number | (() => number)): T[] {
  let rng: () => number;
  if (typeof seedOrRng === 'number') {
    if (!Number.isInteger(seedOrRng)) throw new ShuffleSeedError(`seed must be an integer, got ${seedOrRng}`);
    rng = mulberry32(seedOrRng);
  } else if (typeof seedOrRng === 'function') {
    rng = seedOrRng;
  } else {
    throw new ShuffleSeedError(`seedOrRng must be an integer seed or a () => number generator, got ${typeof seedOrRng}`);
  }
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}
