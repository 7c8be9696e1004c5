/**
 * The 95% interval of the difference of two accuracies measured on the same items (paired data): Newcombe's
 * hybrid score interval for paired proportions (Newcombe 1998, "Improved confidence intervals for the difference
 * between binomial proportions based on paired data", method 10), built from the harness's Wilson intervals of the
 * two accuracies and the correlation of the two arms' outcomes. The pipeline's `difference` is the unpaired
 * version (method 10 of the companion paper); on the same items the paired one is the right one and is narrower
 * when the arms agree on most items.
 *
 * @packageDocumentation
 */
import { wilsonInterval } from '@quarkmed/pipeline';
import { AblationError } from './error';

/** A paired difference `treatment − baseline` with its 95% interval and the 2×2 table behind it. */
export interface PairedDifference {
  value: number;
  low: number;
  high: number;
  /** Items. */
  n: number;
  /** Both correct, only the treatment correct, only the baseline correct, both wrong. */
  both: number;
  onlyTreatment: number;
  onlyBaseline: number;
  neither: number;
}

/**
 * Newcombe's paired interval of `mean(treatment) − mean(baseline)` for per-item outcomes (true: correct) of the
 * same items in the same order.
 *
 * @throws {@link AblationError} when the arrays differ in length or are empty
 */
export function pairedDifference(baseline: readonly boolean[], treatment: readonly boolean[], label = 'paired difference'): PairedDifference {
  if (baseline.length !== treatment.length) throw new AblationError(label, `arms answered different numbers of items (${baseline.length} vs ${treatment.length})`);
  const n = baseline.length;
  if (n === 0) throw new AblationError(label, 'no items');
  let both = 0;
  let onlyTreatment = 0;
  let onlyBaseline = 0;
  let neither = 0;
  for (let i = 0; i < n; i++) {
    if (treatment[i] && baseline[i]) both++;
    else if (treatment[i]) onlyTreatment++;
    else if (baseline[i]) onlyBaseline++;
    else neither++;
  }
  const x1 = both + onlyTreatment;
  const x2 = both + onlyBaseline;
  const p1 = x1 / n;
  const p2 = x2 / n;
  const w1 = wilsonInterval(x1, n);
  const w2 = wilsonInterval(x2, n);
  const denom = Math.sqrt(x1 * (n - x1) * x2 * (n - x2));
  // Newcombe's φ: the correlation of the two outcomes, its numerator AD − BC reduced by N/2 (not below 0) when positive
  const ad = both * neither - onlyTreatment * onlyBaseline;
  const phi = denom === 0 ? 0 : (ad > 0 ? Math.max(ad - n / 2, 0) : ad) / denom;
  const lowSq = (p1 - w1.low) ** 2 - 2 * phi * (p1 - w1.low) * (w2.high - p2) + (w2.high - p2) ** 2;
  const highSq = (w1.high - p1) ** 2 - 2 * phi * (w1.high - p1) * (p2 - w2.low) + (p2 - w2.low) ** 2;
  const d = p1 - p2;
  return {
    value: d,
    low: Math.max(-1, d - Math.sqrt(Math.max(0, lowSq))),
    high: Math.min(1, d + Math.sqrt(Math.max(0, highSq))),
    n,
    both,
    onlyTreatment,
    onlyBaseline,
    neither,
  };
}
