/**
 * The order in which the GRPO trainer visits prompts: a seeded shuffle per epoch over the active prompts, where
 * per-epoch resampling (the report's data handling) drops prompts the policy has mastered (their group's pass
 * rate reached a threshold during an earlier epoch). Its whole state is plain JSON (saved with the trainer state).
 *
 * @packageDocumentation
 */
import { mulberry32 } from '@quarkmed/model';
import { GrpoTrainerError } from './errors';

/** A seed for one purpose (`tag`) and index, from the trainer's seed (32-bit, well mixed). */
export function derivedSeed(seed: number, tag: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(tag + 1, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  return h >>> 0;
}

/** The sampler's saved state. */
export interface PromptSamplerState {
  epoch: number;
  position: number;
  order: number[];
  mastered: number[];
}

/** Options of per-epoch resampling. */
export interface ResampleOptions {
  /** A prompt whose group pass rate reaches this (in an epoch) is dropped from later epochs. Default: never. */
  masteredPassRate?: number;
}

/** Seeded per-epoch prompt order with mastered-prompt removal. */
export class PromptSampler {
  private state: PromptSamplerState;
  private readonly masteredSet = new Set<number>();

  /**
   * @param pool - indices of the prompts that may be drawn (after the difficulty filter)
   * @throws {@link GrpoTrainerError} for an empty pool or a pass rate outside (0, 1]
   */
  constructor(
    private readonly pool: readonly number[],
    private readonly seed: number,
    private readonly options: ResampleOptions = {},
  ) {
    if (pool.length === 0) throw new GrpoTrainerError('trainDataset', 'has no prompt left to train on (after the difficulty filter)');
    const m = options.masteredPassRate;
    if (m !== undefined && !(m > 0 && m <= 1)) throw new GrpoTrainerError('options.resample.masteredPassRate', `must be in (0, 1], got ${m}`);
    this.state = { epoch: 0, position: 0, order: this.permutation(0), mastered: [] };
  }

  /** The current epoch (0-based). */
  get epoch(): number {
    return this.state.epoch;
  }

  /** Prompts dropped as mastered so far. */
  get mastered(): readonly number[] {
    return this.state.mastered;
  }

  /** The next `n` prompt indices (crossing into new epochs as needed). */
  next(n: number): number[] {
    const out: number[] = [];
    while (out.length < n) {
      if (this.state.position >= this.state.order.length) this.newEpoch();
      out.push(this.state.order[this.state.position++]!);
    }
    return out;
  }

  /** Records a group's pass rate; a mastered prompt leaves the pool from the next epoch on. */
  record(prompt: number, passRate: number): void {
    const m = this.options.masteredPassRate;
    if (m === undefined || passRate < m || this.masteredSet.has(prompt)) return;
    this.masteredSet.add(prompt);
    this.state.mastered.push(prompt);
  }

  /** A copy of the state (JSON). */
  getState(): PromptSamplerState {
    return { ...this.state, order: [...this.state.order], mastered: [...this.state.mastered] };
  }

  /** Restores a state from {@link PromptSampler.getState}. */
  setState(s: PromptSamplerState): void {
    if (!s || !Array.isArray(s.order) || !Array.isArray(s.mastered) || !Number.isInteger(s.epoch) || !Number.isInteger(s.position)) {
      throw new GrpoTrainerError('resume', 'the saved prompt sampler state is malformed');
    }
    this.state = { ...s, order: [...s.order], mastered: [...s.mastered] };
    this.masteredSet.clear();
    for (const i of s.mastered) this.masteredSet.add(i);
  }

  private newEpoch(): void {
    this.state.epoch++;
    this.state.position = 0;
    this.state.order = this.permutation(this.state.epoch);
  }

  private permutation(epoch: number): number[] {
    let active = this.pool.filter((i) => !this.masteredSet.has(i));
    if (active.length === 0) active = [...this.pool]; // everything mastered: keep training on the whole pool
    const rand = mulberry32(derivedSeed(this.seed, 1, epoch));
    const a = [...active];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}
