/**
 * A counting semaphore: at most `limit` tasks run at once; the others wait in FIFO order.
 *
 * @packageDocumentation
 */
import { EvalModelConfigError } from './model-errors';

/** Runs tasks with at most `limit` in flight. */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  /** @throws {@link EvalModelConfigError} naming `concurrency` unless `limit` is a positive integer. */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new EvalModelConfigError('concurrency', `must be a positive integer, got ${String(limit)}`);
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Runs `task` when a slot is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
