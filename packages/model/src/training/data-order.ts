/**
 * Seeded epoch shuffles: the order in which the trainer visits examples, resumable from a small cursor.
 *
 * @packageDocumentation
 */
import { Mulberry32, mixSeed } from './rng';

/** The position of a {@link DataOrder}: epoch number and index within that epoch's permutation. */
export interface DataOrderState {
  epoch: number;
  cursor: number;
}

/**
 * The permutation of `0..n-1` used in `epoch` (Fisher-Yates driven by a generator seeded from
 * `(seed, epoch)`), so any epoch can be recomputed without replaying the earlier ones.
 *
 * @throws RangeError when `n` is not a non-negative integer or `epoch` not an integer >= 0
 */
export function epochPermutation(n: number, seed: number, epoch: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`epochPermutation: n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`epochPermutation: epoch must be an integer >= 0, got ${epoch}`);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Mulberry32(mixSeed('data-order', seed, epoch));
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}

/**
 * An endless stream of example indices: every epoch visits each of the `size` examples once, in a
 * seeded shuffled order (or in order with `shuffle: false`). Batches may span an epoch boundary.
 * The whole position is {@link DataOrderState}, so {@link DataOrder.restore} resumes exactly.
 */
export class DataOrder {
  private perm: Int32Array;
  private epochValue = 0;
  private cursorValue = 0;

  /**
   * @param size - number of examples, an integer >= 1
   * @param seed - seed of the shuffles
   * @param shuffle - shuffle each epoch (default true)
   * @throws RangeError when `size` is not an integer >= 1
   */
  constructor(
    readonly size: number,
    readonly seed: number,
    readonly shuffle = true,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`DataOrder: size must be an integer >= 1, got ${size}`);
    this.perm = this.permutation(0);
  }

  private permutation(epoch: number): Int32Array {
    return this.shuffle ? epochPermutation(this.size, this.seed, epoch) : Int32Array.from({ length: this.size }, (_, i) => i);
  }

  /** The next `count` example indices (count >= 0). */
  next(count: number): number[] {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`DataOrder.next: count must be an integer >= 0, got ${count}`);
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      if (this.cursorValue >= this.size) {
        this.epochValue++;
        this.cursorValue = 0;
        this.perm = this.permutation(this.epochValue);
      }
      out.push(this.perm[this.cursorValue++]!);
    }
    return out;
  }

  /** The current position (a copy). */
  state(): DataOrderState {
    return { epoch: this.epochValue, cursor: this.cursorValue };
  }

  /**
   * Moves to a saved position.
   *
   * @throws RangeError when the state is not `{epoch >= 0, 0 <= cursor <= size}` integers
   */
  restore(state: DataOrderState): void {
    const { epoch, cursor } = state ?? ({} as DataOrderState);
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(cursor) || cursor < 0 || cursor > this.size) {
      throw new RangeError(`DataOrder.restore: state must be {epoch >= 0, cursor in [0, ${this.size}]} integers, got ${JSON.stringify(state)}`);
    }
    this.epochValue = epoch;
    this.cursorValue = cursor;
    this.perm = this.permutation(epoch);
  }
}
