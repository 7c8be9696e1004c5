/**
 * Reward models for stage-2 alignment: a multi-head Bradley–Terry reward model on a small LlamaModel trunk,
 * its synthetic preference data, and a principles-based judge over any judge model.
 *
 * @packageDocumentation
 */
export {
  REWARD_HEADS,
  buildPreferencePairs,
  splitPairs,
  pairText,
  PreferenceDataError,
} from './preference-data';
export type { RewardHead, PreferencePair, BuildPreferencePairsOptions, SplitPairsOptions } from './preference-data';
export { bradleyTerryLoss, pairAccuracy, BradleyTerryShapeError } from './bradley-terry';
export type { HeadAccuracy } from './bradley-terry';
export { MultiHeadRewardModel, trainRewardModel, evaluatePairs, headMask, RewardModelError } from './multi-head-reward-model';
export type {
  RewardTokenizer,
  RewardTrunkConfig,
  MultiHeadRewardModelOptions,
  RewardBatch,
  TrainRewardModelOptions,
  PairEvaluation,
} from './multi-head-reward-model';
export {
  PrinciplesJudge,
  DEFAULT_PRINCIPLES,
  renderRubricPrompt,
  parseJudgeReply,
  validatePrinciples,
  weightedReward,
  PrinciplesError,
  JudgeReplyError,
  JudgeCallError,
} from './principles-judge';
export type { Principle, JudgeScale, RubricInput, ParsedJudgeReply, JudgeFunction, PrinciplesJudgeOptions } from './principles-judge';
