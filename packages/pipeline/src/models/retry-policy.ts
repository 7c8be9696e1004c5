/**
 * When and how long to wait before retrying a request: exponential backoff with jitter (seeded), at least the
 * server's `Retry-After`; which failures are retried (429, 408, 5xx, network errors and timeouts).
 *
 * @packageDocumentation
 */
import { mulberry32 } from '@quarkmed/model';
import { EvalModelConfigError } from './model-errors';

/** Backoff settings. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter (default 500 ms). */
  initialMs?: number;
  /** Largest delay before jitter (default 30 s). */
  maxMs?: number;
  /** Growth per retry (default 2). */
  multiplier?: number;
  /** Seed of the jitter (default 0). */
  seed?: number;
}

/** Whether an HTTP status is retried: 408, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * The delay a `Retry-After` header asks for, in ms: delta-seconds (`120`, `1.5`) or an HTTP date; undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** The exponential backoff schedule with "equal jitter": a delay in [d/2, d], d = min(max, initial·multiplier^k). */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly multiplier: number;
  private readonly rand: () => number;

  /** @throws {@link EvalModelConfigError} naming the option for a negative or non-finite value. */
  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.multiplier = options.multiplier ?? 2;
    for (const [k, v] of [['backoff.initialMs', this.initialMs], ['backoff.maxMs', this.maxMs], ['backoff.multiplier', this.multiplier]] as const) {
      if (!Number.isFinite(v) || v < 0) throw new EvalModelConfigError(k, `must be a non-negative number, got ${v}`);
    }
    if (this.multiplier < 1) throw new EvalModelConfigError('backoff.multiplier', `must be at least 1, got ${this.multiplier}`);
    this.rand = mulberry32(options.seed ?? 0);
  }

  /**
   * The delay before retry number `retry` (0 for the first retry), at least `retryAfterMs` when the server gave one.
   */
  delay(retry: number, retryAfterMs?: number): number {
    const d = Math.min(this.maxMs, this.initialMs * this.multiplier ** retry);
    const jittered = d / 2 + (d / 2) * this.rand();
    return Math.max(jittered, retryAfterMs ?? 0);
  }
}
