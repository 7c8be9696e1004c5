/**
 * Bounded concurrency for generation: at most `maxConcurrent` run, at most `maxQueue` wait, the rest get a 429.
 *
 * @packageDocumentation
 */
import { OpenAIApiError } from './serve-errors';

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** A counting semaphore with a bounded FIFO queue. */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueue: number,
  ) {}

  /** Requests running now. */
  get running(): number {
    return this.active;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Waits for a slot and resolves to its `release` function (call it once, when the work ends).
   *
   * @throws {@link OpenAIApiError} 429 when every slot is busy and the queue is full; rejects with the signal's reason
   *   when `signal` fires while waiting (the request leaves the queue)
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.active < this.maxConcurrent) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(
        new OpenAIApiError(
          429,
          `The server is busy: ${this.active} generations are running and ${this.queue.length} requests are queued (limits ${this.maxConcurrent} and ${this.maxQueue}). Retry later.`,
          'rate_limit_error',
          null,
          'rate_limit_exceeded',
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) {
        if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
        next.resolve(this.releaser());
      } else {
        this.active -= 1;
      }
    };
  }
}
