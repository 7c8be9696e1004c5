/**
 * The 95% interval of a mean of continuous scores (reward-model outputs), by the normal approximation
 * `mean ± z·sd/√n` with the harness's `Z_95`; the pipeline has intervals for proportions only.
 *
 * @packageDocumentation
 */
import { Z_95 } from '@quarkmed/pipeline';
import { AblationError } from './error';

/** A mean with its 95% interval. */
export interface MeanInterval {
  value: number;
  low: number;
  high: number;
  n: number;
}

/**
 * The mean of `xs` with its 95% normal-approximation interval (sample standard deviation; a single value has a
 * zero-width interval).
 *
 * @throws {@link AblationError} for no values or a non-finite one
 */
export function meanInterval(xs: readonly number[], label = 'mean'): MeanInterval {
  const n = xs.length;
  if (n === 0) throw new AblationError(label, 'no values');
  xs.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new AblationError(label, `value ${i} is not finite (${x})`);
  });
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const half = (Z_95 * sd) / Math.sqrt(n);
  return { value: mean, low: mean - half, high: mean + half, n };
}
