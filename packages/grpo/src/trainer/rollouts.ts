/**
 * Rollouts: `G` completions of each prompt through `@quarkmed/model`'s batched KV-cache generator, with TRL's
 * sampling options, then scored by every reward function.
 *
 * @packageDocumentation
 */
import { generate, type FinishReason, type GenerationTokenizer } from '@quarkmed/model';
import { GrpoTrainerError } from './errors';
import type { PolicyModel } from './policy-model';
import { scoreCompletions, type NamedRewardFunction } from './reward-functions';

/** A training prompt: its text (already in the policy's prompt format) and whatever the reward functions read. */
export interface PromptExample {
  prompt: string;
}

/** Sampling settings of a rollout (TRL's names, camelCase). */
export interface RolloutSampling {
  temperature: number;
  topP: number;
  /** 0: no top-k. */
  topK: number;
  /** Min-p filter in [0, 1] after the temperature (TRL's `min_p`); `null`/absent/0: off. */
  minP?: number | null;
  repetitionPenalty: number;
  maxCompletionLength: number;
}

/** One generated completion. */
export interface Completion {
  /** Index of its prompt in the dataset. */
  prompt: number;
  promptIds: number[];
  completionIds: number[];
  text: string;
  /** `'stop'`: terminated by a stop id; `'length'`: truncated at `maxCompletionLength`. */
  finishReason: FinishReason;
}

/** Completions of a set of prompts (G consecutive rows per prompt) and their rewards. */
export interface ScoredRollout {
  completions: Completion[];
  /** `[function][completion]`, `null`: not applicable. */
  rewardsPerFunction: (number | null)[][];
  /** Seconds spent generating and scoring. */
  generationSeconds: number;
  scoringSeconds: number;
}

/**
 * Generates `numGenerations` completions of each prompt in one batch (prompt `i`'s completions are rows
 * `i·G .. i·G + G − 1`), seeded (`seed` drives every row's sampler).
 *
 * @throws {@link GrpoTrainerError} for a prompt that encodes to no tokens
 */
export async function sampleCompletions<Example extends PromptExample>(
  model: PolicyModel,
  tokenizer: GenerationTokenizer,
  dataset: readonly Example[],
  promptIndices: readonly number[],
  numGenerations: number,
  sampling: RolloutSampling,
  seed: number,
): Promise<Completion[]> {
  const promptIds = promptIndices.map((i) => {
    const ex = dataset[i];
    if (!ex || typeof ex.prompt !== 'string') throw new GrpoTrainerError(`trainDataset[${i}].prompt`, 'must be a string');
    const ids = tokenizer.encode(ex.prompt);
    if (ids.length === 0) throw new GrpoTrainerError(`trainDataset[${i}].prompt`, 'encodes to no tokens');
    if (ids.length + sampling.maxCompletionLength > model.config.maxSeqLen) {
      throw new GrpoTrainerError(`trainDataset[${i}].prompt`, `has ${ids.length} tokens; with maxCompletionLength ${sampling.maxCompletionLength} that exceeds the model's maxSeqLen ${model.config.maxSeqLen}`);
    }
    return ids;
  });
  const rows: number[][] = [];
  for (const ids of promptIds) for (let g = 0; g < numGenerations; g++) rows.push(ids);
  const results = await generate(model, rows, {
    temperature: sampling.temperature,
    topP: sampling.topP,
    topK: sampling.topK,
    ...(sampling.minP !== null && sampling.minP !== undefined && sampling.minP > 0 ? { minP: sampling.minP } : {}),
    repetitionPenalty: sampling.repetitionPenalty,
    maxNewTokens: sampling.maxCompletionLength,
    seed: seed >>> 0,
    tokenizer,
  });
  return results.map((r, k) => ({
    prompt: promptIndices[Math.floor(k / numGenerations)]!,
    promptIds: rows[k]!,
    completionIds: r.tokenIds,
    text: r.text,
    finishReason: r.finishReason,
  }));
}

/** Generates and scores: {@link sampleCompletions}, then every reward function on the batch. */
export async function rollout<Example extends PromptExample>(
  model: PolicyModel,
  tokenizer: GenerationTokenizer,
  dataset: readonly Example[],
  promptIndices: readonly number[],
  numGenerations: number,
  sampling: RolloutSampling,
  seed: number,
  rewardFuncs: readonly NamedRewardFunction<Example>[],
): Promise<ScoredRollout> {
  const t0 = performance.now();
  const completions = await sampleCompletions(model, tokenizer, dataset, promptIndices, numGenerations, sampling, seed);
  const t1 = performance.now();
  const rewardsPerFunction = await scoreCompletions(rewardFuncs, {
    prompts: completions.map((c) => dataset[c.prompt]!.prompt),
    completions: completions.map((c) => c.text),
    completionIds: completions.map((c) => c.completionIds),
    examples: completions.map((c) => dataset[c.prompt]!),
    finishReasons: completions.map((c) => c.finishReason),
  });
  const t2 = performance.now();
  return { completions, rewardsPerFunction, generationSeconds: (t1 - t0) / 1000, scoringSeconds: (t2 - t1) / 1000 };
}

/** Completion length statistics with TRL's metric names (`completions/...`). */
export function completionLengthMetrics(completions: readonly Completion[]): Record<string, number> {
  const lens = completions.map((c) => c.completionIds.length);
  const term = completions.filter((c) => c.finishReason === 'stop').map((c) => c.completionIds.length);
  const mean = (a: number[]): number => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : 0);
  return {
    'completions/mean_length': mean(lens),
    'completions/min_length': lens.length ? Math.min(...lens) : 0,
    'completions/max_length': lens.length ? Math.max(...lens) : 0,
    'completions/clipped_ratio': completions.length ? (completions.length - term.length) / completions.length : 0,
    'completions/mean_terminated_length': mean(term),
    'completions/min_terminated_length': term.length ? Math.min(...term) : 0,
    'completions/max_terminated_length': term.length ? Math.max(...term) : 0,
  };
}
