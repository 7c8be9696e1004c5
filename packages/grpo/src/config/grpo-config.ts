/**
 * `GRPOConfig`: the options of Hugging Face TRL's `GRPOConfig` in camelCase, with TRL's current defaults and
 * TRL's cross-field rules, validated with zod by {@link parseGrpoConfig}.
 *
 * Source of the names, defaults and rules: TRL main (2026), `trl/trainer/grpo_config.py` at commit
 * 006d32c9bf5da698815726ebd0de78b404e8163d (its `__post_init__` for the generation-batch rules) and
 * `trl/trainer/grpo_trainer.py` of the same period (epsilon_high falls back to epsilon; beta = 0 builds no
 * reference model). Three fields come from `transformers.TrainingArguments`, which GRPOConfig extends:
 * `perDeviceTrainBatchSize` (8), `gradientAccumulationSteps` (1) and `seed` (42); `learningRate` is GRPOConfig's
 * override (1e-6). vLLM, DeepSpeed, logging-to-Hub and tool-calling options have no counterpart here.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { GrpoConfigError } from './config-error';
import { configErrorFromZod } from './zod-issue';

/** The policy-loss formulations (TRL `loss_type`). */
export const LOSS_TYPES = ['grpo', 'bnpo', 'dr_grpo', 'dapo', 'cispo', 'sapo', 'luspo'] as const;
/** A policy-loss formulation (TRL `loss_type`). */
export type LossType = (typeof LOSS_TYPES)[number];
/** Loss types that use PPO-style clipping of the ratio (and so accept `delta` and log clip ratios). */
export const CLIPPED_LOSS_TYPES: readonly LossType[] = ['grpo', 'bnpo', 'dr_grpo', 'dapo', 'luspo'];
/** Reward scaling when forming advantages (TRL `scale_rewards`; `true`/`false` are accepted as group/none). */
export type ScaleRewards = 'group' | 'batch' | 'none';
/** Where the importance ratio is formed: per token, or one per sequence (GSPO). */
export type ImportanceSamplingLevel = 'token' | 'sequence';
/** How several reward functions are combined (TRL `multi_objective_aggregation`). */
export type MultiObjectiveAggregation = 'sum_then_normalize' | 'normalize_then_sum';

/** The resolved GRPO configuration: every field present, `epsilonHigh` / generation batch resolved. */
export interface GRPOConfig {
  /** Learning rate for AdamW (TRL `learning_rate`, GRPOConfig default 1e-6). */
  learningRate: number;
  /** Disable dropout in policy and reference (TRL `disable_dropout`). */
  disableDropout: boolean;
  /** Prompts per device per micro-batch × generations are the rows of a micro-batch (TrainingArguments `per_device_train_batch_size`). */
  perDeviceTrainBatchSize: number;
  /** Micro-batches per optimizer step (TrainingArguments `gradient_accumulation_steps`). */
  gradientAccumulationSteps: number;
  /** Seed of every random choice (TrainingArguments `seed`). */
  seed: number;
  /** G: completions sampled per prompt (TRL `num_generations`, >= 2). */
  numGenerations: number;
  /** Completions per prompt in evaluation; null = numGenerations (TRL `num_generations_eval`). */
  numGenerationsEval: number | null;
  /** Maximum completion length in tokens; also the dr_grpo normaliser (TRL `max_completion_length`). */
  maxCompletionLength: number;
  /** Shuffle the training prompts (TRL `shuffle_dataset`). */
  shuffleDataset: boolean;
  /** Completions generated at once (resolved: perDeviceTrainBatchSize × stepsPerGeneration unless given). */
  generationBatchSize: number;
  /** Optimizer micro-steps served by one generation batch (resolved: gradientAccumulationSteps unless given). */
  stepsPerGeneration: number;
  /** Sampling temperature; log-probs are computed from logits / temperature (TRL `temperature`). */
  temperature: number;
  /** Nucleus sampling mass in (0, 1] (TRL `top_p`). */
  topP: number;
  /** Top-k filter; 0 disables it (TRL `top_k`). */
  topK: number;
  /** Min-p filter in [0, 1]; null disables it (TRL `min_p`). */
  minP: number | null;
  /** Repetition penalty (> 0; 1 = none) (TRL `repetition_penalty`). */
  repetitionPenalty: number;
  /** KL coefficient of the k3 term; 0 builds no reference model (TRL `beta`). */
  beta: number;
  /** μ: updates per generation batch; > 1 keeps the old-policy log-probs (TRL `num_iterations`). */
  numIterations: number;
  /** Lower clipping epsilon (TRL `epsilon`). */
  epsilon: number;
  /** Upper clipping epsilon; for cispo the cap of the ratio itself (TRL `epsilon_high`, default = epsilon). */
  epsilonHigh: number;
  /** Upper bound of the unclipped ratio in two-sided clipping; null = off (TRL `delta`). */
  delta: number | null;
  /** SAPO gate temperature for tokens with advantage <= 0 (TRL `sapo_temperature_neg`). */
  sapoTemperatureNeg: number;
  /** SAPO gate temperature for tokens with advantage > 0 (TRL `sapo_temperature_pos`). */
  sapoTemperaturePos: number;
  /** Token-level ratios or one sequence-level ratio (GSPO) (TRL `importance_sampling_level`). */
  importanceSamplingLevel: ImportanceSamplingLevel;
  /** Weight per reward function; null = all 1 (TRL `reward_weights`). */
  rewardWeights: number[] | null;
  /** Combine rewards before or after normalisation (TRL `multi_objective_aggregation`). */
  multiObjectiveAggregation: MultiObjectiveAggregation;
  /** Advantage scaling (TRL `scale_rewards`). */
  scaleRewards: ScaleRewards;
  /** Policy-loss formulation and normalisation (TRL `loss_type`). */
  lossType: LossType;
  /** Drop truncated completions (no EOS) from the loss (TRL `mask_truncated_completions`). */
  maskTruncatedCompletions: boolean;
  /** Mix the policy into the reference every refModelSyncSteps steps (TR-DPO) (TRL `sync_ref_model`). */
  syncRefModel: boolean;
  /** α of π_ref = α·π_θ + (1−α)·π_ref (TRL `ref_model_mixup_alpha`). */
  refModelMixupAlpha: number;
  /** τ: steps between reference syncs (TRL `ref_model_sync_steps`). */
  refModelSyncSteps: number;
  /** ρ: keep only the top-ρ quantile of tokens by entropy in the policy term (TRL `top_entropy_quantile`). */
  topEntropyQuantile: number;
  /** Multiply the k3 KL by the importance ratio (DeepSeek-V3.2) (TRL `use_bias_correction_kl`). */
  useBiasCorrectionKl: boolean;
}

/** What {@link parseGrpoConfig} accepts: any subset of {@link GRPOConfig} (`scaleRewards` also as boolean). */
export type GRPOConfigInput = Partial<Omit<GRPOConfig, 'epsilonHigh' | 'generationBatchSize' | 'stepsPerGeneration' | 'scaleRewards'>> & {
  epsilonHigh?: number | null;
  generationBatchSize?: number | null;
  stepsPerGeneration?: number | null;
  scaleRewards?: ScaleRewards | boolean;
};

/** TRL's defaults (before resolution: epsilonHigh, generationBatchSize and stepsPerGeneration are null). */
export const GRPO_CONFIG_DEFAULTS = Object.freeze({
  learningRate: 1e-6,
  disableDropout: false,
  perDeviceTrainBatchSize: 8,
  gradientAccumulationSteps: 1,
  seed: 42,
  numGenerations: 8,
  numGenerationsEval: null,
  maxCompletionLength: 256,
  shuffleDataset: true,
  generationBatchSize: null,
  stepsPerGeneration: null,
  temperature: 1.0,
  topP: 1.0,
  topK: 0,
  minP: null,
  repetitionPenalty: 1.0,
  beta: 0.0,
  numIterations: 1,
  epsilon: 0.2,
  epsilonHigh: null,
  delta: null,
  sapoTemperatureNeg: 1.05,
  sapoTemperaturePos: 1.0,
  importanceSamplingLevel: 'token',
  rewardWeights: null,
  multiObjectiveAggregation: 'sum_then_normalize',
  scaleRewards: 'group',
  lossType: 'dapo',
  maskTruncatedCompletions: false,
  syncRefModel: false,
  refModelMixupAlpha: 0.6,
  refModelSyncSteps: 512,
  topEntropyQuantile: 1.0,
  useBiasCorrectionKl: false,
} as const);

const num = () => z.number({ error: 'must be a finite number' });
const int = (min: number) => z.number({ error: 'must be an integer' }).int('must be an integer').min(min, `must be >= ${min}`);
const bool = () => z.boolean({ error: 'must be a boolean' });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.map((v) => `'${v}'`).join(', ')}` });

const schema = z.strictObject({
  learningRate: num().gt(0, 'must be > 0'),
  disableDropout: bool(),
  perDeviceTrainBatchSize: int(1),
  gradientAccumulationSteps: int(1),
  seed: z.number({ error: 'must be an integer' }).int('must be an integer'),
  numGenerations: z.number({ error: "must be an integer" }).int("must be an integer").min(2, "must be >= 2: GRPO needs at least 2 generations per prompt to compute advantages"),
  numGenerationsEval: int(1).nullable(),
  maxCompletionLength: int(1),
  shuffleDataset: bool(),
  generationBatchSize: int(1).nullable(),
  stepsPerGeneration: int(1).nullable(),
  temperature: num().gt(0, 'must be > 0'),
  topP: num().gt(0, 'must be in (0, 1]').max(1, 'must be in (0, 1]'),
  topK: int(0),
  minP: num().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').nullable(),
  repetitionPenalty: num().gt(0, 'must be > 0'),
  beta: num().min(0, 'must be >= 0'),
  numIterations: int(1),
  epsilon: num().min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)'),
  epsilonHigh: num().min(0, 'must be >= 0').nullable(),
  delta: num().nullable(),
  sapoTemperatureNeg: num().gt(0, 'must be > 0'),
  sapoTemperaturePos: num().gt(0, 'must be > 0'),
  importanceSamplingLevel: oneOf(['token', 'sequence'] as const),
  rewardWeights: z.array(num(), { error: 'must be an array of finite numbers or null' }).min(1, 'must not be empty').nullable(),
  multiObjectiveAggregation: oneOf(['sum_then_normalize', 'normalize_then_sum'] as const),
  scaleRewards: z.union([oneOf(['group', 'batch', 'none'] as const), bool()], { error: "must be one of 'group', 'batch', 'none' (or true / false)" }),
  lossType: oneOf(LOSS_TYPES as unknown as readonly [LossType, ...LossType[]]),
  maskTruncatedCompletions: bool(),
  syncRefModel: bool(),
  refModelMixupAlpha: num().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]'),
  refModelSyncSteps: int(1),
  topEntropyQuantile: num().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]'),
  useBiasCorrectionKl: bool(),
});

const CONFIG = 'grpo config';

/**
 * Validates a GRPO configuration and resolves it: TRL's defaults for absent fields, `scaleRewards` true/false →
 * 'group'/'none', `epsilonHigh` null → `epsilon`, and the generation batch (TRL `__post_init__`: from
 * `perDeviceTrainBatchSize × stepsPerGeneration`, `stepsPerGeneration` defaulting to `gradientAccumulationSteps`).
 *
 * Cross-field rules (TRL's, plus the ones TRL documents as requirements): `generationBatchSize` and
 * `stepsPerGeneration` are mutually exclusive; the generation batch is a multiple of `perDeviceTrainBatchSize` and
 * of `numGenerations`; `numGenerations >= 2`; `epsilonHigh >= epsilon` (except cispo, where it is the ratio cap);
 * `delta > 1 + epsilon` and only for the clipped loss types; `syncRefModel` needs `beta > 0` (no reference model
 * exists otherwise); `luspo` needs `importanceSamplingLevel: 'sequence'`.
 *
 * @param input - a plain object of options (unknown keys are rejected)
 * @returns the resolved, frozen configuration
 * @throws {@link GrpoConfigError} naming the first invalid field, e.g. `grpo config.epsilonHigh: must be >= epsilon (0.2), got 0.1`
 */
export function parseGrpoConfig(input: GRPOConfigInput = {}): Readonly<GRPOConfig> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new GrpoConfigError(CONFIG, '(root)', 'must be an object of options');
  }
  const parsed = schema.safeParse({ ...GRPO_CONFIG_DEFAULTS, ...dropUndefined(input) });
  if (!parsed.success) throw configErrorFromZod(CONFIG, parsed.error);
  const c = parsed.data;
  const fail = (field: string, problem: string): never => {
    throw new GrpoConfigError(CONFIG, field, problem);
  };
  const scaleRewards: ScaleRewards = c.scaleRewards === true ? 'group' : c.scaleRewards === false ? 'none' : c.scaleRewards;

  // Generation batch (TRL GRPOConfig.__post_init__, one process).
  let generationBatchSize: number;
  let stepsPerGeneration: number;
  if (c.generationBatchSize === null && c.stepsPerGeneration === null) {
    stepsPerGeneration = c.gradientAccumulationSteps;
    generationBatchSize = c.perDeviceTrainBatchSize * stepsPerGeneration;
  } else if (c.generationBatchSize !== null && c.stepsPerGeneration === null) {
    if (c.generationBatchSize % c.perDeviceTrainBatchSize !== 0) {
      fail('generationBatchSize', `must be divisible by perDeviceTrainBatchSize (${c.perDeviceTrainBatchSize}), got ${c.generationBatchSize}`);
    }
    generationBatchSize = c.generationBatchSize;
    stepsPerGeneration = c.generationBatchSize / c.perDeviceTrainBatchSize;
  } else if (c.generationBatchSize === null && c.stepsPerGeneration !== null) {
    stepsPerGeneration = c.stepsPerGeneration;
    generationBatchSize = c.perDeviceTrainBatchSize * stepsPerGeneration;
  } else {
    return fail('stepsPerGeneration', 'cannot be set together with generationBatchSize (TRL: mutually exclusive)');
  }
  if (generationBatchSize % c.numGenerations !== 0) {
    const how = c.generationBatchSize !== null ? 'generationBatchSize' : `perDeviceTrainBatchSize × stepsPerGeneration = ${c.perDeviceTrainBatchSize} × ${stepsPerGeneration}`;
    fail(c.generationBatchSize !== null ? 'generationBatchSize' : 'numGenerations', `the generation batch (${how} = ${generationBatchSize}) must be divisible by numGenerations (${c.numGenerations}): groups cannot be split`);
  }

  const epsilonHigh = c.epsilonHigh ?? c.epsilon;
  if (c.lossType !== 'cispo' && epsilonHigh < c.epsilon) fail('epsilonHigh', `must be >= epsilon (${c.epsilon}), got ${epsilonHigh}`);
  if (c.lossType === 'cispo' && epsilonHigh <= 0) fail('epsilonHigh', `is the cap of the importance ratio for cispo and must be > 0, got ${epsilonHigh}`);
  if (c.delta !== null) {
    if (!CLIPPED_LOSS_TYPES.includes(c.lossType)) fail('delta', `two-sided clipping applies to lossType ${CLIPPED_LOSS_TYPES.join(', ')}, not '${c.lossType}'`);
    if (!(c.delta > 1 + c.epsilon)) fail('delta', `must be > 1 + epsilon (${1 + c.epsilon}), got ${c.delta}`);
  }
  if (c.syncRefModel && c.beta === 0) fail('syncRefModel', 'needs beta > 0: with beta = 0 no reference model is built');
  if (c.lossType === 'luspo' && c.importanceSamplingLevel !== 'sequence') {
    fail('importanceSamplingLevel', "must be 'sequence' for lossType 'luspo'");
  }
  return Object.freeze({ ...c, scaleRewards, epsilonHigh, generationBatchSize, stepsPerGeneration, rewardWeights: c.rewardWeights ? [...c.rewardWeights] : null });
}

/**
 * The reward weights for `numRewardFunctions` functions: `config.rewardWeights`, or all 1 when null.
 *
 * @throws {@link GrpoConfigError} on `rewardWeights` when its length differs from the number of functions
 */
export function resolveRewardWeights(config: Pick<GRPOConfig, 'rewardWeights'>, numRewardFunctions: number): number[] {
  if (!Number.isInteger(numRewardFunctions) || numRewardFunctions < 1) {
    throw new GrpoConfigError(CONFIG, 'rewardWeights', `needs at least one reward function, got ${numRewardFunctions}`);
  }
  if (config.rewardWeights === null) return new Array<number>(numRewardFunctions).fill(1);
  if (config.rewardWeights.length !== numRewardFunctions) {
    throw new GrpoConfigError(CONFIG, 'rewardWeights', `has ${config.rewardWeights.length} weights but there are ${numRewardFunctions} reward functions`);
  }
  return [...config.rewardWeights];
}

function dropUndefined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
