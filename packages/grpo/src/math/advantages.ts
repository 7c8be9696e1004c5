/**
 * Group-relative advantages from several weighted reward functions, exactly as TRL's
 * `GRPOTrainer._generate_and_score_completions` (single process).
 *
 * `sum_then_normalize`: r_i = Σ_k w_k r_ik over the functions that apply (NaN-aware sum); a completion no function
 * scores (all null) is *unscorable*: its reward is NaN, it is left out of its group's mean and std, and its advantage
 * is 0. A_i = r_i − mean_group(r), divided by (std + 1e-4) where std is the group's (`scaleRewards: 'group'`) or the
 * batch's (`'batch'`) sample standard deviation; `'none'` does not divide.
 *
 * `normalize_then_sum` (GDPO): each function is normalised within its group, (r_ik − mean_k)/(std_k + 1e-4), the
 * normalised rewards are summed with the weights, and the sum is normalised over the batch,
 * (s_i − mean(s))/(std(s) + 1e-4) — TRL ignores `scaleRewards` on this path, and so does this function.
 *
 * @packageDocumentation
 */
import type { MultiObjectiveAggregation, ScaleRewards } from '../config/grpo-config';
import { GrpoInputError } from './input-error';
import { isCloseToZero, nanMean, nanStd } from './nan-stats';
import { type RewardsPerFunc, rewardsToNaNMatrix } from './rewards-matrix';

/** Options of {@link computeAdvantages}. */
export interface AdvantageOptions {
  /** One weight per reward function (see `resolveRewardWeights`). */
  weights: readonly number[];
  /** G: rows per prompt group (contiguous). */
  numGenerations: number;
  /** Reward scaling for `sum_then_normalize`. */
  scaleRewards: ScaleRewards;
  /** How the reward functions are combined. */
  multiObjectiveAggregation: MultiObjectiveAggregation;
}

/** What {@link computeAdvantages} returns (all per completion, in row order). */
export interface Advantages {
  /** The advantages (0 for unscorable completions and NaN-producing groups). */
  advantages: Float64Array;
  /** The aggregated reward the advantage is formed from (NaN for unscorable completions). */
  rewards: Float64Array;
  /** The standard deviation the advantage was divided by (per row: its group's or the batch's). */
  std: Float64Array;
  /** Whether that std is 0 (torch.isclose); its mean is TRL's `frac_reward_zero_std`. */
  isStdZero: boolean[];
  /** Completions no reward function scored. */
  unscorable: boolean[];
}

/**
 * Advantages of a batch of completions (see the module documentation for the exact formulas).
 *
 * @param rewardsPerFunc - rows = completions (G contiguous rows per prompt), columns = reward functions, null = not applicable
 * @throws {@link GrpoInputError} for a malformed matrix, weights or G, or an unknown option
 */
export function computeAdvantages(rewardsPerFunc: RewardsPerFunc, options: AdvantageOptions): Advantages {
  const { weights, numGenerations: g, scaleRewards, multiObjectiveAggregation } = options;
  const m = rewardsToNaNMatrix(rewardsPerFunc, weights, g);
  const k = weights.length;
  const n = rewardsPerFunc.length;
  const groups = n / g;
  const unscorable = Array.from({ length: n }, (_, i) => {
    for (let j = 0; j < k; j++) if (!Number.isNaN(m[i * k + j]!)) return false;
    return true;
  });
  const rewards = new Float64Array(n);
  const std = new Float64Array(n);
  const advantages = new Float64Array(n);

  if (multiObjectiveAggregation === 'sum_then_normalize') {
    for (let i = 0; i < n; i++) rewards[i] = unscorable[i] ? NaN : weightedNanSum(m, i, weights);
    const mean = new Float64Array(n);
    for (let q = 0; q < groups; q++) {
      const slice = rewards.subarray(q * g, (q + 1) * g);
      mean.fill(nanMean(slice), q * g, (q + 1) * g);
      if (scaleRewards === 'group' || scaleRewards === 'none') std.fill(g > 1 ? nanStd(slice) : 0, q * g, (q + 1) * g);
    }
    if (scaleRewards === 'batch') std.fill(n > 1 ? nanStd(rewards) : 0);
    else if (scaleRewards !== 'group' && scaleRewards !== 'none') {
      throw new GrpoInputError('scaleRewards', `must be 'group', 'batch' or 'none', got ${String(scaleRewards)}`);
    }
    for (let i = 0; i < n; i++) {
      const a = rewards[i]! - mean[i]!;
      advantages[i] = scaleRewards === 'none' ? a : a / (std[i]! + 1e-4);
    }
  } else if (multiObjectiveAggregation === 'normalize_then_sum') {
    const normalised = new Float64Array(n * k);
    const column = new Float64Array(g);
    for (let q = 0; q < groups; q++) {
      for (let j = 0; j < k; j++) {
        for (let r = 0; r < g; r++) column[r] = m[(q * g + r) * k + j]!;
        const mu = nanMean(column);
        const sd = g > 1 ? nanStd(column) : 0;
        for (let r = 0; r < g; r++) normalised[(q * g + r) * k + j] = (column[r]! - mu) / (sd + 1e-4);
      }
    }
    for (let i = 0; i < n; i++) rewards[i] = unscorable[i] ? NaN : weightedNanSum(normalised, i, weights);
    std.fill(n > 1 ? nanStd(rewards) : 0);
    const mu = nanMean(rewards);
    for (let i = 0; i < n; i++) advantages[i] = (rewards[i]! - mu) / (std[i]! + 1e-4);
  } else {
    throw new GrpoInputError('multiObjectiveAggregation', `must be 'sum_then_normalize' or 'normalize_then_sum', got ${String(multiObjectiveAggregation)}`);
  }
  for (let i = 0; i < n; i++) if (Number.isNaN(advantages[i]!)) advantages[i] = 0; // torch.nan_to_num
  return { advantages, rewards, std, isStdZero: Array.from(std, isCloseToZero), unscorable };
}

/** Σ_k w_k x_ik over the non-NaN entries of row i (torch.nansum of x * w). */
function weightedNanSum(m: Float64Array, i: number, weights: readonly number[]): number {
  const k = weights.length;
  let s = 0;
  for (let j = 0; j < k; j++) {
    const v = m[i * k + j]! * weights[j]!;
    if (!Number.isNaN(v)) s += v;
  }
  return s;
}
