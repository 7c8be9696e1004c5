/**
 * The one place where the trainers call the package's pure math (config, advantages, reward statistics, policy
 * and DPO losses): they orchestrate, these functions compute.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { parseGrpoConfig, resolveRewardWeights, type GRPOConfig, type GRPOConfigInput } from '../config/grpo-config';
import { computeAdvantages as coreAdvantages } from '../math/advantages';
import { groupRewardStd, rewardStats } from '../math/reward-stats';
import { GRPO_METRIC_NAMES, grpoLoss, type GrpoLossMetrics } from '../math/policy-loss';

/** The resolved GRPO settings (TRL's `GRPOConfig` plus the training arguments it carries). */
export type GrpoSettings = Readonly<GRPOConfig>;

/** Validates the config (zod, field-naming errors). */
export function resolveGrpoSettings(input: Record<string, unknown>): GrpoSettings {
  return parseGrpoConfig(input as GRPOConfigInput);
}

/** Advantages, TRL's reward metrics, and which groups have zero reward spread. */
export interface BatchAdvantages {
  advantages: number[];
  /** Per group: all rewards equal (or fewer than two scorable), so no learning signal (DAPO drops these). */
  zeroStdGroups: boolean[];
  /** `reward`, `reward_std`, `rewards/<name>/mean|std`, `frac_reward_zero_std`. */
  metrics: Record<string, number>;
}

/**
 * Advantages of a scored batch (`rewardsPerFunction[function][completion]`, G contiguous completions per prompt)
 * with the config's weights, aggregation and scaling, and TRL's reward metrics.
 */
export function computeAdvantages(rewardsPerFunction: readonly (readonly (number | null)[])[], numGenerations: number, settings: GrpoSettings, names?: readonly string[]): BatchAdvantages {
  const n = rewardsPerFunction[0]?.length ?? 0;
  const rows = Array.from({ length: n }, (_, i) => rewardsPerFunction.map((f) => f[i] ?? null));
  const weights = resolveRewardWeights(settings, rewardsPerFunction.length);
  const adv = coreAdvantages(rows, { weights, numGenerations, scaleRewards: settings.scaleRewards, multiObjectiveAggregation: settings.multiObjectiveAggregation });
  const stats = rewardStats(rows, weights, adv.isStdZero);
  const metrics: Record<string, number> = { reward: stats.reward, reward_std: stats.rewardStd, frac_reward_zero_std: stats.fracRewardZeroStd };
  stats.perFunction.forEach((s, j) => {
    const name = names?.[j] ?? `reward_${j}`;
    metrics[`rewards/${name}/mean`] = s.mean;
    metrics[`rewards/${name}/std`] = s.std;
  });
  const spread = groupRewardStd(adv.rewards, numGenerations);
  const zeroStdGroups = Array.from(spread, (s) => !(s > 1e-8));
  return { advantages: Array.from(adv.advantages), zeroStdGroups, metrics };
}

/** The tensors of one micro-batch's policy loss. */
export interface PolicyLossInputs {
  logProbs: tf.Tensor2D;
  /** Absent: on-policy (the detached current log-probs stand in). */
  oldLogProbs?: tf.Tensor2D;
  refLogProbs?: tf.Tensor2D;
  advantages: tf.Tensor1D;
  completionMask: tf.Tensor2D;
  entropies: tf.Tensor2D;
  truncated: readonly boolean[];
  /** Active completion tokens of the micro-batch (the DAPO/CISPO normaliser; the Trainer weights micro-batches by it). */
  numItemsInBatch: number;
}

/** Metrics of the policy loss (TRL names). */
export type PolicyLossMetrics = Record<string, tf.Scalar | number>;

/**
 * The policy loss of one micro-batch for the config's `lossType` × `importanceSamplingLevel`, with TRL's metrics.
 * Gradient accumulation is the Trainer's (weights from {@link policyBatchWeight}), so the loss is called with
 * `gradientAccumulationSteps: 1` and the micro-batch's own token count.
 */
export function computePolicyLoss(inputs: PolicyLossInputs, settings: GrpoSettings): { loss: tf.Scalar; metrics: PolicyLossMetrics } {
  const out = grpoLoss(
    {
      logProbs: inputs.logProbs,
      oldLogProbs: inputs.oldLogProbs ?? null,
      refLogProbs: inputs.refLogProbs ?? null,
      advantages: inputs.advantages,
      mask: inputs.completionMask,
      entropies: inputs.entropies,
      truncated: inputs.truncated,
      numItemsInBatch: Math.max(1, inputs.numItemsInBatch),
      gradientAccumulationSteps: 1,
    },
    settings,
  );
  const metrics: PolicyLossMetrics = {};
  for (const [k, v] of Object.entries(out.metrics) as [keyof GrpoLossMetrics, tf.Scalar | undefined][]) if (v) metrics[GRPO_METRIC_NAMES[k]] = v;
  return { loss: out.loss, metrics };
}

export { grpoMicroBatchWeight as policyBatchWeight } from '../math/policy-loss';
