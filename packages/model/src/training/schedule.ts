/**
 * Learning-rate schedules: pure functions of the 1-based optimizer step.
 *
 * @packageDocumentation
 */

/** A learning rate as a function of the 1-based optimizer step (the step whose update uses it). */
export type LrSchedule = (step: number) => number;

/** Options of {@link cosineWithWarmup}. */
export interface CosineWithWarmupOptions {
  /** Steps of linear warmup, an integer >= 0. */
  warmupSteps: number;
  /** Step at which the cosine reaches `minLr`, an integer > `warmupSteps` (or >= 1 with no warmup). */
  totalSteps: number;
  /** Learning rate at the end of warmup, > 0. */
  peakLr: number;
  /** Learning rate at `totalSteps` and after, in [0, peakLr] (default 0). */
  minLr?: number;
}

function checkNumber(name: string, value: unknown, ok: (v: number) => boolean, rule: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new RangeError(`cosineWithWarmup: ${name} must be ${rule}, got ${String(value)}`);
  }
  return value;
}

/**
 * Linear warmup then cosine decay, as a pure function of the 1-based step `s`:
 * - `s <= warmupSteps`: `peakLr · s / warmupSteps` (so step 1 already trains);
 * - `warmupSteps < s < totalSteps`: `minLr + (peakLr - minLr) · ½(1 + cos(π · (s - warmupSteps) / (totalSteps - warmupSteps)))`;
 * - `s >= totalSteps`: `minLr`.
 * The two pieces meet at `s = warmupSteps` with `peakLr`; with no warmup, steps <= 0 give `peakLr`.
 *
 * @throws RangeError naming the option that is missing or out of range
 */
export function cosineWithWarmup(options: CosineWithWarmupOptions): LrSchedule {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`cosineWithWarmup: options must be an object {warmupSteps, totalSteps, peakLr, minLr?}, got ${String(options)}`);
  }
  const warmup = checkNumber('warmupSteps', options.warmupSteps, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
  const total = checkNumber('totalSteps', options.totalSteps, (v) => Number.isInteger(v) && v >= 1 && v > warmup, `an integer >= 1 and > warmupSteps (${warmup})`);
  const peak = checkNumber('peakLr', options.peakLr, (v) => v > 0, '> 0');
  const min = checkNumber('minLr', options.minLr ?? 0, (v) => v >= 0 && v <= peak, `in [0, peakLr=${peak}]`);
  return (step: number): number => {
    if (step <= warmup) return warmup === 0 ? peak : (peak * Math.max(step, 0)) / warmup;
    if (step >= total) return min;
    const progress = (step - warmup) / (total - warmup);
    return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}

/** A constant learning rate as an {@link LrSchedule}. @throws RangeError when `lr` is negative or not finite. */
export function constantLr(lr: number): LrSchedule {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) throw new RangeError(`constantLr: lr must be a finite number >= 0, got ${String(lr)}`);
  return () => lr;
}
