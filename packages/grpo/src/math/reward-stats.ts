/**
 * The reward statistics TRL logs per step (`reward`, `reward_std`, `rewards/<name>/mean|std`,
 * `frac_reward_zero_std`) and the per-group reward spread used by dynamic sampling.
 *
 * @packageDocumentation
 */
import { GrpoInputError } from './input-error';
import { nanMean, nanStd } from './nan-stats';
import { type RewardsPerFunc, rewardsToNaNMatrix } from './rewards-matrix';

/** TRL's logged reward statistics for one batch. */
export interface RewardStats {
  /** `reward`: mean weighted reward over scorable completions. */
  reward: number;
  /** `reward_std`: its sample standard deviation (TRL nanstd). */
  rewardStd: number;
  /** `frac_reward_zero_std`: fraction of completions whose advantage std was 0. */
  fracRewardZeroStd: number;
  /** `rewards/<name>/mean` and `/std` per reward function, over the completions it applies to (NaN if none). */
  perFunction: { mean: number; std: number }[];
}

/**
 * TRL's logged reward statistics: the weighted NaN-aware reward sum (unscorable rows excluded), per-function
 * means/stds over the rows each function scored, and the zero-std fraction from {@link computeAdvantages}'s `isStdZero`.
 *
 * @throws {@link GrpoInputError} for a malformed matrix or an `isStdZero` of the wrong length
 */
export function rewardStats(rewardsPerFunc: RewardsPerFunc, weights: readonly number[], isStdZero: readonly boolean[]): RewardStats {
  const m = rewardsToNaNMatrix(rewardsPerFunc, weights, 1);
  const n = rewardsPerFunc.length;
  const k = weights.length;
  if (!Array.isArray(isStdZero) || isStdZero.length !== n) throw new GrpoInputError('isStdZero', `must have one entry per completion (${n})`);
  const total = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    let any = false;
    for (let j = 0; j < k; j++) {
      const v = m[i * k + j]!;
      if (!Number.isNaN(v)) {
        s += v * weights[j]!;
        any = true;
      }
    }
    total[i] = any ? s : NaN;
  }
  const perFunction = Array.from({ length: k }, (_, j) => {
    const col = Float64Array.from({ length: n }, (_, i) => m[i * k + j]!);
    return { mean: nanMean(col), std: nanStd(col) };
  });
  return { reward: nanMean(total), rewardStd: nanStd(total), fracRewardZeroStd: isStdZero.filter(Boolean).length / n, perFunction };
}

/**
 * The sample standard deviation of the aggregated rewards within each group (TRL nanstd; NaN for a group with
 * fewer than two scorable completions). Groups with std 0 (or NaN) carry no signal: DAPO's dynamic sampling drops them.
 *
 * @param rewards - aggregated rewards per completion (NaN for unscorable), e.g. {@link Advantages.rewards}
 * @throws {@link GrpoInputError} when the length is not a multiple of numGenerations
 */
export function groupRewardStd(rewards: ArrayLike<number>, numGenerations: number): Float64Array {
  if (!Number.isInteger(numGenerations) || numGenerations < 1 || rewards.length % numGenerations !== 0) {
    throw new GrpoInputError('rewards', `length ${rewards.length} is not a multiple of numGenerations (${numGenerations})`);
  }
  const groups = rewards.length / numGenerations;
  return Float64Array.from({ length: groups }, (_, q) =>
    nanStd(Array.from({ length: numGenerations }, (_, r) => rewards[q * numGenerations + r]!)),
  );
}
