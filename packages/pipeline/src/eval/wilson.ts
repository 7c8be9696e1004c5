/**
 * The Wilson score interval of a binomial proportion (Wilson 1927; method 3 of Newcombe 1998), the confidence
 * interval reported with every accuracy: unlike the normal approximation it stays inside [0, 1] and is not
 * degenerate at 0 or n successes.
 *
 * @packageDocumentation
 */
import { EvalOptionError } from './eval-option-error';

/** z of a two-sided 95% interval (the 0.975 quantile of the standard normal). */
export const Z_95 = 1.959963984540054;

/** A confidence interval. */
export interface Interval {
  low: number;
  high: number;
}

/**
 * The Wilson score interval: `(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)`.
 *
 * @param successes - number of successes (an integer in [0, n]).
 * @param n - number of trials (an integer ≥ 0; 0 gives [0, 1]).
 * @param z - the normal quantile (default {@link Z_95}).
 * @throws {@link EvalOptionError} for non-integer or out-of-range counts or a non-positive z.
 */
export function wilsonInterval(successes: number, n: number, z: number = Z_95): Interval {
  if (!Number.isInteger(n) || n < 0) throw new EvalOptionError('n', `must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) throw new EvalOptionError('successes', `must be an integer in [0, ${n}], got ${successes}`);
  if (!(z > 0) || !Number.isFinite(z)) throw new EvalOptionError('z', `must be a positive number, got ${z}`);
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: successes === 0 ? 0 : Math.max(0, (centre - half) / denom), high: successes === n ? 1 : Math.min(1, (centre + half) / denom) };
}
