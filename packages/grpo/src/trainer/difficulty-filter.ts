/**
 * The report's difficulty filter before RL: sample `k` completions of every prompt with the initial policy and
 * keep only the prompts it solves sometimes: those solved at a pass rate >= `maxPassRate` are too easy, those
 * never solved (when `dropNeverSolved`) give no signal.
 *
 * @packageDocumentation
 */
import type { GenerationTokenizer } from '@quarkmed/model';
import { GrpoTrainerError } from './errors';
import type { PolicyModel } from './policy-model';
import type { NamedRewardFunction } from './reward-functions';
import { rollout, type PromptExample, type RolloutSampling } from './rollouts';

/** Options of the difficulty filter. */
export interface DifficultyFilterOptions {
  /** Completions sampled per prompt (k, default 8). */
  samples?: number;
  /** Drop prompts solved at a pass rate >= this (x, default 1: only those always solved). */
  maxPassRate?: number;
  /** Drop prompts never solved (default true). */
  dropNeverSolved?: boolean;
  /** Prompts per generation batch (default 8). */
  batchPrompts?: number;
}

/** What the filter found. */
export interface DifficultyReport {
  /** Indices of the prompts kept. */
  kept: number[];
  /** Pass rate of every prompt. */
  passRates: number[];
  tooEasy: number;
  neverSolved: number;
}

/**
 * Runs the difficulty filter.
 *
 * @throws {@link GrpoTrainerError} naming the option for `samples < 1` or a `maxPassRate` outside (0, 1]
 */
export async function filterByDifficulty<Example extends PromptExample>(args: DifficultyFilterOptions & {
  model: PolicyModel;
  tokenizer: GenerationTokenizer;
  dataset: readonly Example[];
  rewardFuncs: readonly NamedRewardFunction<Example>[];
  sampling: RolloutSampling;
  seed: number;
  passFunction: number;
  passThreshold: number;
}): Promise<DifficultyReport> {
  const k = args.samples ?? 8;
  const x = args.maxPassRate ?? 1;
  const per = args.batchPrompts ?? 8;
  if (!Number.isInteger(k) || k < 1) throw new GrpoTrainerError('options.difficultyFilter.samples', `must be an integer >= 1, got ${k}`);
  if (!(x > 0 && x <= 1)) throw new GrpoTrainerError('options.difficultyFilter.maxPassRate', `must be in (0, 1], got ${x}`);
  if (!Number.isInteger(per) || per < 1) throw new GrpoTrainerError('options.difficultyFilter.batchPrompts', `must be an integer >= 1, got ${per}`);
  const passRates: number[] = [];
  for (let start = 0; start < args.dataset.length; start += per) {
    const idx = Array.from({ length: Math.min(per, args.dataset.length - start) }, (_, i) => start + i);
    const r = await rollout(args.model, args.tokenizer, args.dataset, idx, k, args.sampling, (args.seed + start) >>> 0, args.rewardFuncs);
    const scores = r.rewardsPerFunction[args.passFunction]!;
    for (let p = 0; p < idx.length; p++) {
      let pass = 0;
      for (let j = 0; j < k; j++) pass += (scores[p * k + j] ?? -Infinity) >= args.passThreshold ? 1 : 0;
      passRates.push(pass / k);
    }
  }
  const dropNever = args.dropNeverSolved ?? true;
  const kept: number[] = [];
  let tooEasy = 0;
  let neverSolved = 0;
  passRates.forEach((p, i) => {
    if (p >= x) tooEasy++;
    else if (p === 0 && dropNever) neverSolved++;
    else kept.push(i);
  });
  return { kept, passRates, tooEasy, neverSolved };
}
