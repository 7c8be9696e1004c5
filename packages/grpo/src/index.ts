/**
 * `@quarkmed/grpo`: GRPO and DPO for `@quarkmed/model` with Hugging Face TRL's current semantics. This entry is
 * browser-safe (no Node built-ins): the configuration, the advantages and every loss as pure functions on tfjs
 * tensors or plain numbers.
 *
 * @packageDocumentation
 */
export { GrpoError } from './error';
export { GrpoConfigError } from './config/config-error';
export { GrpoInputError } from './math/input-error';

export { parseGrpoConfig, resolveRewardWeights, GRPO_CONFIG_DEFAULTS, LOSS_TYPES, CLIPPED_LOSS_TYPES } from './config/grpo-config';
export type { GRPOConfig, GRPOConfigInput, LossType, ScaleRewards, ImportanceSamplingLevel, MultiObjectiveAggregation } from './config/grpo-config';
export { parseDpoConfig, DPO_CONFIG_DEFAULTS } from './config/dpo-config';
export type { DPOConfig, DPOConfigInput, DpoLossType } from './config/dpo-config';

export { computeAdvantages } from './math/advantages';
export type { AdvantageOptions, Advantages } from './math/advantages';
export type { RewardsPerFunc } from './math/rewards-matrix';
export { rewardStats, groupRewardStd } from './math/reward-stats';
export type { RewardStats } from './math/reward-stats';
export { nanMean, nanStd } from './math/nan-stats';
export { highEntropyMask, quantile } from './math/entropy-mask';
export { highEntropyMaskTensor } from './math/high-entropy-mask-tensor';
export { entropyFromLogits } from './math/entropy';
export { stopGradient } from './math/stop-gradient';
export { grpoLoss, grpoMicroBatchWeight, GRPO_METRIC_NAMES } from './math/policy-loss';
export type { GrpoLossConfig, GrpoLossInputs, GrpoLossMetrics, GrpoLossResult, Matrix } from './math/policy-loss';

export { dpoLoss, DPO_METRIC_NAMES } from './dpo/dpo-loss';
export type { DpoLossInputs, DpoLossMetrics, DpoLossResult } from './dpo/dpo-loss';
export { sequenceLogProbs } from './dpo/sequence-log-probs';
export { chosenNll } from './dpo/chosen-nll';
export { buildPreferencePairs } from './dpo/preference-pairs';
export type { PreferencePair, PreferencePairs } from './dpo/preference-pairs';

// trainer
export { GRPOTrainer } from './trainer/grpo-trainer';
export type { GRPOTrainerOptions, GrpoMicroBatch, LoraLike, DynamicSamplingOptions, PassCriterion } from './trainer/grpo-trainer';
export { DPOTrainer } from './trainer/dpo-trainer';
export type { DPOTrainerOptions, DpoBatch, PreferencePair as DpoPreferencePair } from './trainer/dpo-trainer';
export { GrpoTrainerError, RewardFunctionError } from './trainer/errors';
export { normalizeRewardFunctions, scoreCompletions } from './trainer/reward-functions';
export type { RewardFunction, RewardFn, NamedRewardFunction, RewardInput } from './trainer/reward-functions';
export { verifierReward, sampleReward, formatRewardFunction } from './trainer/verifier-rewards';
export type { VerifierRewardOptions } from './trainer/verifier-rewards';
export { rollout, sampleCompletions, completionLengthMetrics } from './trainer/rollouts';
export type { PromptExample, RolloutSampling, Completion, ScoredRollout } from './trainer/rollouts';
export { filterByDifficulty } from './trainer/difficulty-filter';
export type { DifficultyFilterOptions, DifficultyReport } from './trainer/difficulty-filter';
export { PromptSampler } from './trainer/prompt-sampler';
export type { PromptSamplerState, ResampleOptions } from './trainer/prompt-sampler';
export { completionLogProbs, packSequences } from './trainer/policy-model';
export type { PolicyModel, SequenceBatch, CompletionLogProbs } from './trainer/policy-model';
export type { ReferencePolicy, AdapterSwitch } from './trainer/reference-policy';
