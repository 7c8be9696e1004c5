/** DPO losses, gradients and metrics against the PyTorch reference (dpo.json); pair building. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPreferencePairs, chosenNll, dpoLoss, GrpoInputError, parseDpoConfig, sequenceLogProbs, type DPOConfigInput } from '../../src/index';
import { type FixtureTensor, loadFixture, TOL, toTensor, useCpu, values, worstError } from './helpers';

beforeAll(useCpu);

interface DpoCase {
  name: string;
  config: DPOConfigInput;
  loss: number;
  losses: FixtureTensor;
  chosenRewards: FixtureTensor;
  rejectedRewards: FixtureTensor;
  rewardAccuracy: number;
  rewardMargin: number;
  gradPolicyChosen: FixtureTensor;
  gradPolicyRejected: FixtureTensor;
}
interface RpoCase {
  name: string;
  config: DPOConfigInput;
  loss: number;
  losses: FixtureTensor;
  gradPolicyChosen: FixtureTensor;
  gradPolicyRejected: FixtureTensor;
  gradChosenNll: number;
}
const fx = loadFixture<{
  inputs: Record<'policyChosen' | 'policyRejected' | 'refChosen' | 'refRejected', FixtureTensor>;
  cases: DpoCase[];
  nll: { tokenLogProbs: FixtureTensor; mask: FixtureTensor; nll: number; grad: FixtureTensor };
  rpoCases: RpoCase[];
}>('dpo');

describe('dpoLoss vs PyTorch reference', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const config = parseDpoConfig(c.config);
      const [pc, pr, rc, rr] = (['policyChosen', 'policyRejected', 'refChosen', 'refRejected'] as const).map((k) => toTensor(fx.inputs[k]) as tf.Tensor1D);
      const [gc, gr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => dpoLoss({ policyChosenLogps: a as tf.Tensor1D, policyRejectedLogps: b as tf.Tensor1D, refChosenLogps: rc, refRejectedLogps: rr }, config).loss)([pc!, pr!]);
      const out = dpoLoss({ policyChosenLogps: pc!, policyRejectedLogps: pr!, refChosenLogps: rc, refRejectedLogps: rr }, config);
      expect(worstError([out.loss.dataSync()[0]!], [c.loss])).toBeLessThanOrEqual(TOL);
      expect(worstError(out.losses.dataSync(), values(c.losses))).toBeLessThanOrEqual(TOL);
      expect(worstError(out.chosenRewards.dataSync(), values(c.chosenRewards))).toBeLessThanOrEqual(TOL);
      expect(worstError(out.rejectedRewards.dataSync(), values(c.rejectedRewards))).toBeLessThanOrEqual(TOL);
      expect(out.metrics.rewardAccuracy.dataSync()[0]).toBeCloseTo(c.rewardAccuracy, 6);
      expect(worstError([out.metrics.rewardMargin.dataSync()[0]!], [c.rewardMargin])).toBeLessThanOrEqual(TOL);
      expect(worstError(gc!.dataSync(), values(c.gradPolicyChosen))).toBeLessThanOrEqual(TOL);
      expect(worstError(gr!.dataSync(), values(c.gradPolicyRejected))).toBeLessThanOrEqual(TOL);
      tf.dispose([pc!, pr!, rc!, rr!, gc!, gr!, out.loss, out.losses, out.chosenRewards, out.rejectedRewards, ...Object.values(out.metrics)]);
    });
  }

  it("chosenNll is TRL's RPO cross-entropy (token mean over the chosen rows), with its gradient", () => {
    const lp = toTensor(fx.nll.tokenLogProbs) as tf.Tensor2D;
    const m = toTensor(fx.nll.mask) as tf.Tensor2D;
    const [g] = tf.grads((x: tf.Tensor) => chosenNll(x as tf.Tensor2D, m))([lp]);
    expect(worstError([chosenNll(lp, m).dataSync()[0]!], [fx.nll.nll])).toBeLessThanOrEqual(TOL);
    expect(worstError(g!.dataSync(), values(fx.nll.grad))).toBeLessThanOrEqual(TOL);
    expect(chosenNll(lp, tf.zerosLike(m) as tf.Tensor2D).dataSync()[0]).toBe(-0);
    expect(() => chosenNll(lp, tf.ones([2, 2]) as tf.Tensor2D)).toThrow(/grpo input\.mask/);
  });

  for (const c of fx.rpoCases) {
    it(`RPO ${c.name}: the DPO loss plus α·NLL, gradients included`, () => {
      const config = parseDpoConfig(c.config);
      const [pc, pr, rc, rr] = (['policyChosen', 'policyRejected', 'refChosen', 'refRejected'] as const).map((k) => toTensor(fx.inputs[k]) as tf.Tensor1D);
      const nll = tf.scalar(fx.nll.nll);
      const f = (a: tf.Tensor, b: tf.Tensor, n: tf.Tensor) =>
        dpoLoss({ policyChosenLogps: a as tf.Tensor1D, policyRejectedLogps: b as tf.Tensor1D, refChosenLogps: rc, refRejectedLogps: rr, chosenNll: n as tf.Scalar }, config).loss;
      const [ga, gb, gn] = tf.grads(f)([pc!, pr!, nll]);
      const out = dpoLoss({ policyChosenLogps: pc!, policyRejectedLogps: pr!, refChosenLogps: rc, refRejectedLogps: rr, chosenNll: nll }, config);
      expect(worstError([out.loss.dataSync()[0]!], [c.loss])).toBeLessThanOrEqual(TOL);
      expect(worstError(out.losses.dataSync(), values(c.losses))).toBeLessThanOrEqual(TOL);
      expect(worstError(ga!.dataSync(), values(c.gradPolicyChosen))).toBeLessThanOrEqual(TOL);
      expect(worstError(gb!.dataSync(), values(c.gradPolicyRejected))).toBeLessThanOrEqual(TOL);
      expect(worstError([gn!.dataSync()[0]!], [c.gradChosenNll])).toBeLessThanOrEqual(TOL);
      expect(out.metrics.nllLoss!.dataSync()[0]).toBeCloseTo(fx.nll.nll, 6);
      expect(() => dpoLoss({ policyChosenLogps: pc!, policyRejectedLogps: pr!, refChosenLogps: rc, refRejectedLogps: rr }, config)).toThrow(/grpo input\.chosenNll: must be a scalar tensor when rpoAlpha is set/);
    });
  }

  it('without rpoAlpha there is no NLL term or metric, whatever chosenNll is given', () => {
    const a = tf.tensor1d([-1, -2]);
    const out = dpoLoss({ policyChosenLogps: a, policyRejectedLogps: a, chosenNll: tf.scalar(5) }, parseDpoConfig({ referenceFree: true }));
    expect(out.loss.dataSync()[0]).toBeCloseTo(Math.LN2, 6);
    expect(out.metrics.nllLoss).toBeUndefined();
  });

  it('rejects a missing reference (not reference-free) and mismatched shapes', () => {
    const a = tf.tensor1d([-1, -2]);
    expect(() => dpoLoss({ policyChosenLogps: a, policyRejectedLogps: a }, parseDpoConfig())).toThrow(/grpo input\.refChosenLogps: is required unless referenceFree/);
    expect(() => dpoLoss({ policyChosenLogps: a, policyRejectedLogps: tf.tensor1d([1]) }, parseDpoConfig({ referenceFree: true }))).toThrow(/policyRejectedLogps/);
    expect(() => dpoLoss({ policyChosenLogps: tf.tensor1d([]), policyRejectedLogps: a }, parseDpoConfig())).toThrow(GrpoInputError);
    a.dispose();
  });

  it('sequenceLogProbs sums (sigmoid) or averages (TRL IPO) the masked token log-probs', () => {
    const lp = tf.tensor2d([[-1, -2, -3], [-0.5, -0.5, -9]]);
    const m = tf.tensor2d([[1, 1, 1], [1, 1, 0]]);
    expect(Array.from(sequenceLogProbs(lp, m).dataSync())).toEqual([-6, -1]);
    expect(Array.from(sequenceLogProbs(lp, m, { average: true }).dataSync())).toEqual([-2, -0.5]);
    expect(() => sequenceLogProbs(lp, tf.ones([2, 2]) as tf.Tensor2D)).toThrow(/grpo input\.mask/);
  });
});

describe('buildPreferencePairs', () => {
  it('pairs best vs worst per group, skips tied and unscorable groups', () => {
    const { pairs, skippedGroups } = buildPreferencePairs([0.1, 0.9, 0.5, 0.2, 1, 1, 1, 1, null, 0.3, null, null, 0, 1, null, 0.5], 4, 7);
    expect(pairs).toEqual([
      { group: 0, chosen: 1, rejected: 0, chosenReward: 0.9, rejectedReward: 0.1 },
      { group: 3, chosen: 13, rejected: 12, chosenReward: 1, rejectedReward: 0 },
    ]);
    expect(skippedGroups).toEqual([1, 2]);
  });

  it('breaks ties with the seed: reproducible, and different seeds reach different choices', () => {
    const rewards = [1, 1, 1, 0, 0, 0, 0, 1];
    const a = buildPreferencePairs(rewards, 8, 1);
    expect(buildPreferencePairs(rewards, 8, 1)).toEqual(a);
    const chosen = new Set<number>();
    for (let s = 0; s < 20; s++) {
      const p = buildPreferencePairs(rewards, 8, s).pairs[0]!;
      expect(rewards[p.chosen]).toBe(1);
      expect(rewards[p.rejected]).toBe(0);
      chosen.add(p.chosen);
    }
    expect(chosen.size).toBeGreaterThan(1);
  });

  it('rejects bad input naming it', () => {
    expect(() => buildPreferencePairs([1, 2, 3], 2, 0)).toThrow(/grpo input\.rewards/);
    expect(() => buildPreferencePairs([1, NaN], 2, 0)).toThrow(/grpo input\.rewards\.1/);
    expect(() => buildPreferencePairs([1, 2], 1, 0)).toThrow(/grpo input\.numGenerations/);
    expect(() => buildPreferencePairs([1, 2], 2, NaN)).toThrow(/grpo input\.seed/);
  });
});
