/**
 * Validation of the rewards matrix: one row per completion (groups of G contiguous rows), one column per reward
 * function, `null` where a function does not apply.
 *
 * @packageDocumentation
 */
import { GrpoInputError } from './input-error';

/** Rewards of every completion (rows, grouped by prompt: G contiguous rows) from every reward function (columns). */
export type RewardsPerFunc = ReadonlyArray<ReadonlyArray<number | null>>;

/**
 * Checks the matrix against the weights and G, and returns it as a NaN-for-null Float64Array (row-major).
 *
 * @throws {@link GrpoInputError} naming `rewardsPerFunc` (shape, a non-finite value: use null for "not applicable"),
 * `weights` or `numGenerations`
 */
export function rewardsToNaNMatrix(rewardsPerFunc: RewardsPerFunc, weights: readonly number[], numGenerations: number): Float64Array {
  if (!Array.isArray(weights) || weights.length === 0) throw new GrpoInputError('weights', 'must be a non-empty array of numbers');
  weights.forEach((w, k) => {
    if (typeof w !== 'number' || !Number.isFinite(w)) throw new GrpoInputError(`weights.${k}`, `must be a finite number, got ${String(w)}`);
  });
  if (!Number.isInteger(numGenerations) || numGenerations < 1) throw new GrpoInputError('numGenerations', `must be an integer >= 1, got ${numGenerations}`);
  if (!Array.isArray(rewardsPerFunc) || rewardsPerFunc.length === 0) throw new GrpoInputError('rewardsPerFunc', 'must be a non-empty array of rows');
  if (rewardsPerFunc.length % numGenerations !== 0) {
    throw new GrpoInputError('rewardsPerFunc', `has ${rewardsPerFunc.length} rows, not a multiple of numGenerations (${numGenerations})`);
  }
  const k = weights.length;
  const out = new Float64Array(rewardsPerFunc.length * k);
  rewardsPerFunc.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== k) {
      throw new GrpoInputError(`rewardsPerFunc.${i}`, `must have one entry per reward function (${k}), got ${Array.isArray(row) ? row.length : typeof row}`);
    }
    row.forEach((v, j) => {
      if (v === null) out[i * k + j] = NaN;
      else if (typeof v === 'number' && Number.isFinite(v)) out[i * k + j] = v;
      else throw new GrpoInputError(`rewardsPerFunc.${i}.${j}`, `must be a finite number or null (not applicable), got ${String(v)}`);
    });
  });
  return out;
}
