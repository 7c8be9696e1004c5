/** Advantages and reward statistics against the PyTorch reference (advantages.json), plus hand-checked cases. */
import { describe, expect, it } from 'vitest';
import { computeAdvantages, groupRewardStd, GrpoInputError, rewardStats, type MultiObjectiveAggregation, type ScaleRewards } from '../../src/index';
import { type FixtureTensor, loadFixture, values, worstError } from './helpers';

interface AdvCase {
  name: string;
  rewardSet: string;
  weights: number[];
  numGenerations: number;
  scaleRewards: ScaleRewards;
  multiObjectiveAggregation: MultiObjectiveAggregation;
  advantages: FixtureTensor;
  aggregatedRewards: FixtureTensor;
  std: FixtureTensor;
  isStdZero: boolean[];
  unscorable: boolean[];
  stats: { reward: number | null; reward_std: number | null; frac_reward_zero_std: number; per_function: { mean: number | null; std: number | null }[] };
}
const fx = loadFixture<{ rewardSets: Record<string, (number | null)[][]>; cases: AdvCase[] }>('advantages');

const n = (v: number | null): number => (v === null ? NaN : v);

describe('computeAdvantages vs PyTorch reference', () => {
  it('covers every aggregation × scaling × G on every reward set', () => {
    expect(fx.cases.length).toBeGreaterThanOrEqual(78);
  });
  for (const c of fx.cases) {
    it(c.name, () => {
      const rows = fx.rewardSets[c.rewardSet]!;
      const out = computeAdvantages(rows, c);
      // float64 on both sides: 1e-9 relative
      expect(worstError(out.advantages, values(c.advantages))).toBeLessThan(1e-9);
      expect(worstError(out.rewards, values(c.aggregatedRewards))).toBeLessThan(1e-9);
      expect(worstError(out.std, values(c.std))).toBeLessThan(1e-9);
      expect(out.isStdZero).toEqual(c.isStdZero);
      expect(out.unscorable).toEqual(c.unscorable);
      const stats = rewardStats(rows, c.weights, out.isStdZero);
      expect(worstError([stats.reward, stats.rewardStd, stats.fracRewardZeroStd], [n(c.stats.reward), n(c.stats.reward_std), c.stats.frac_reward_zero_std])).toBeLessThan(1e-9);
      expect(worstError(stats.perFunction.flatMap((s) => [s.mean, s.std]), c.stats.per_function.flatMap((s) => [n(s.mean), n(s.std)]))).toBeLessThan(1e-9);
    });
  }
});

describe('computeAdvantages, hand-checked', () => {
  const opts = { weights: [1], numGenerations: 4, scaleRewards: 'group' as const, multiObjectiveAggregation: 'sum_then_normalize' as const };

  it('equal rewards in a group give zero advantage and count as zero-std', () => {
    const out = computeAdvantages([[0.5], [0.5], [0.5], [0.5], [1], [0], [0], [0]], opts);
    expect(Array.from(out.advantages.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(out.isStdZero.slice(0, 4)).toEqual([true, true, true, true]);
    expect(out.isStdZero[4]).toBe(false);
    // group 2: mean 0.25, std (Bessel) 0.5 → (1 − 0.25) / (0.5 + 1e-4)
    expect(out.advantages[4]).toBeCloseTo(0.75 / 0.5001, 12);
  });

  it('an all-null row is unscorable: NaN reward, advantage 0, excluded from its group baseline', () => {
    const out = computeAdvantages([[1], [null], [0], [1]], opts);
    expect(out.unscorable).toEqual([false, true, false, false]);
    expect(Number.isNaN(out.rewards[1]!)).toBe(true);
    expect(out.advantages[1]).toBe(0);
    // baseline over {1, 0, 1}: mean 2/3, std sqrt(1/3)
    expect(out.advantages[0]).toBeCloseTo((1 - 2 / 3) / (Math.sqrt(1 / 3) + 1e-4), 12);
  });

  it("null for one function only is a NaN-aware weighted sum (TRL's nansum)", () => {
    const out = computeAdvantages([[1, null], [0, 1]], { ...opts, weights: [2, 3], numGenerations: 2, scaleRewards: 'none' });
    expect(Array.from(out.rewards)).toEqual([2, 3]);
    expect(Array.from(out.advantages)).toEqual([-0.5, 0.5]);
  });

  it('groupRewardStd gives each group its sample std', () => {
    const s = groupRewardStd([1, 0, 0.5, 0.5, NaN, 2], 3);
    expect(s[0]).toBeCloseTo(0.5, 12);
    expect(s[1]).toBeCloseTo(Math.SQRT2 * 0.75, 12);
  });

  it('rejects malformed input naming it', () => {
    expect(() => computeAdvantages([[1], [0], [1]], opts)).toThrow(/grpo input\.rewardsPerFunc: has 3 rows, not a multiple of numGenerations \(4\)/);
    expect(() => computeAdvantages([[1], [0], [NaN], [1]], opts)).toThrow(/rewardsPerFunc\.2\.0: must be a finite number or null/);
    expect(() => computeAdvantages([[1, 2], [0], [1], [1]], { ...opts, weights: [1, 1] })).toThrow(/rewardsPerFunc\.1: must have one entry per reward function \(2\)/);
    expect(() => computeAdvantages([[1]], { ...opts, numGenerations: 1, weights: [Infinity] })).toThrow(/weights\.0/);
    expect(() => computeAdvantages([[1]], { ...opts, numGenerations: 0 })).toThrow(GrpoInputError);
    expect(() => computeAdvantages([[1]], { ...opts, numGenerations: 1, scaleRewards: 'mean' as never })).toThrow(/scaleRewards/);
    expect(() => computeAdvantages([[1]], { ...opts, numGenerations: 1, multiObjectiveAggregation: 'x' as never })).toThrow(/multiObjectiveAggregation/);
    expect(() => rewardStats([[1]], [1], [])).toThrow(/isStdZero/);
    expect(() => groupRewardStd([1, 2, 3], 2)).toThrow(/grpo input\.rewards/);
  });
});
