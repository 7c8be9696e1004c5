/**
 * NaN-aware mean and standard deviation over plain numbers, exactly as TRL's `torch.nanmean` and `nanstd`.
 *
 * @packageDocumentation
 */

/** Mean of the non-NaN values; NaN when there are none (torch.nanmean). */
export function nanMean(values: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? NaN : sum / n;
}

/**
 * TRL's `nanstd`: the non-NaN values' mean squared deviation times `count / (count - 1)` (Bessel), square-rooted.
 * One value gives NaN (0 · ∞), none gives NaN — as in TRL.
 */
export function nanStd(values: ArrayLike<number>): number {
  const mean = nanMean(values);
  let sq = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      sq += (v - mean) ** 2;
      n++;
    }
  }
  if (n === 0) return NaN;
  return Math.sqrt((sq / n) * (n / (n - 1)));
}

/** torch.isclose(x, 0) with the default tolerances (atol 1e-8): false for NaN. */
export function isCloseToZero(x: number): boolean {
  return Math.abs(x) <= 1e-8;
}
