/**
 * Accuracies with 95% intervals (the evaluation harness's Wilson interval) and Newcombe's hybrid score interval
 * (method 10) for the difference of two independent accuracies.
 *
 * @packageDocumentation
 */
import { wilsonInterval } from '../eval/wilson';

/** An accuracy with its 95% interval. */
export interface Accuracy {
  correct: number;
  total: number;
  /** correct / total (NaN for total 0). */
  value: number;
  low: number;
  high: number;
}

/** The accuracy `correct / total` with the evaluation harness's Wilson 95% interval (`../eval/wilson`). */
export function wilson(correct: number, total: number): Accuracy {
  const { low, high } = wilsonInterval(correct, total);
  return { correct, total, value: total === 0 ? Number.NaN : correct / total, low, high };
}

/** A difference b − a with its 95% interval and whether the interval excludes 0. */
export interface Difference {
  value: number;
  low: number;
  high: number;
  /** True when the interval lies above 0 (b better), false otherwise. */
  significant: boolean;
}

/** Newcombe's 95% interval of `b.value − a.value` (independent samples). */
export function difference(a: Accuracy, b: Accuracy): Difference {
  const d = b.value - a.value;
  const low = d - Math.sqrt((b.value - b.low) ** 2 + (a.high - a.value) ** 2);
  const high = d + Math.sqrt((b.high - b.value) ** 2 + (a.value - a.low) ** 2);
  return { value: d, low, high, significant: low > 0 };
}
