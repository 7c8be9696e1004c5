/**
 * Timing helpers: warm-up runs, then repeated runs until a time budget (or an iteration cap) is spent,
 * reporting the median.
 */
import { performance } from 'node:perf_hooks';

/** How many times to run a measured function. */
export interface TimingPlan {
  /** Un-timed runs before measuring (at least one is always made). */
  warmup: number;
  /** Runs always measured, whatever the budget. */
  minIters: number;
  /** Never more measured runs than this. */
  maxIters: number;
  /** Keep measuring while the measured runs took less than this many milliseconds in total. */
  budgetMs: number;
}

/** Result of {@link measure}. */
export interface Timing {
  /** Median of the measured runs, milliseconds. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Number of measured runs. */
  iters: number;
  /** Every measured run, milliseconds. */
  samplesMs: number[];
}

/** Plans used by the suites: `quick` for smoke tests, `full` for real numbers. */
export const PLANS = {
  quick: { warmup: 1, minIters: 1, maxIters: 3, budgetMs: 150 },
  full: { warmup: 2, minIters: 5, maxIters: 50, budgetMs: 2000 },
} satisfies Record<string, TimingPlan>;

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median: empty list');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Runs `fn` `plan.warmup` times un-timed, then at least `plan.minIters` and at most `plan.maxIters` times
 * (stopping once the measured time exceeds `plan.budgetMs`), and returns the median. Work slower than the
 * budget gets one warm-up and fewer measured runs ({@link planFor}, from the first warm-up's time). `fn` must include
 * whatever synchronisation makes its work complete (a GPU read-back) before it resolves.
 *
 * @param fn - the work to time.
 * @param plan - iteration counts and time budget.
 */
export async function measure(fn: () => void | Promise<void>, plan: TimingPlan): Promise<Timing> {
  // The first warm-up run is timed to scale the plan down for slow work (see planFor).
  const t0 = performance.now();
  await fn();
  plan = planFor(plan, performance.now() - t0);
  for (let i = 1; i < plan.warmup; i++) await fn();
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < plan.maxIters && (samples.length < plan.minIters || spent < plan.budgetMs)) {
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    samples.push(dt);
    spent += dt;
  }
  return {
    medianMs: median(samples),
    minMs: Math.min(...samples),
    maxMs: Math.max(...samples),
    iters: samples.length,
    samplesMs: samples,
  };
}

/**
 * A plan for work whose single run takes about `estimateMs`: fewer warm-ups and iterations for slow work
 * so a case stays within roughly `plan.budgetMs` (never fewer than one warm-up and one measured run).
 */
export function planFor(plan: TimingPlan, estimateMs: number): TimingPlan {
  if (estimateMs <= 0 || !Number.isFinite(estimateMs)) return plan;
  const fit = Math.floor(plan.budgetMs / estimateMs);
  return {
    warmup: estimateMs > plan.budgetMs ? Math.min(plan.warmup, 1) : plan.warmup,
    minIters: Math.max(1, Math.min(plan.minIters, fit)),
    maxIters: Math.max(1, Math.min(plan.maxIters, Math.max(fit, 1))),
    budgetMs: plan.budgetMs,
  };
}

/** Formats milliseconds with 3 significant digits (`0.123`, `12.3`, `1234`). */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** Formats a ratio as `2.34x`. */
export function fmtRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '-';
  return r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;
}
