/**
 * The policy loss, its gradient w.r.t. the log-probs and TRL's metrics against the PyTorch reference
 * (grpo-loss.json: every lossType × scaleRewards × importanceSamplingLevel × {on-, off-policy} × {beta 0, > 0}, and
 * the extra cases), compared at |a − b| <= 1e-6·max(|b|, 1) (tfjs cpu is float32), plus hand-checked properties.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeAdvantages, grpoLoss, GRPO_METRIC_NAMES, grpoMicroBatchWeight, GrpoInputError, parseGrpoConfig, type GrpoLossConfig, type GrpoLossMetrics } from '../../src/index';
import { type FixtureTensor, loadFixture, TOL, useCpu, values, worstError } from './helpers';

beforeAll(useCpu);

interface LossCase {
  name: string;
  inputs: string;
  rewards: string;
  config: GrpoLossConfig & { scaleRewards: 'group' | 'batch' | 'none'; multiObjectiveAggregation: 'sum_then_normalize' | 'normalize_then_sum' };
  onPolicy: boolean;
  numGenerations: number;
  gradientAccumulationSteps: number;
  numItemsInBatch: number;
  rows: number[];
  advantages: FixtureTensor;
  loss: number;
  perTokenLoss: FixtureTensor;
  grad: FixtureTensor;
  metrics: Record<string, number>;
}
interface InputSet {
  logProbs: FixtureTensor;
  oldLogProbs?: FixtureTensor;
  refLogProbs: FixtureTensor;
  mask: FixtureTensor;
  entropies: FixtureTensor;
  truncated: boolean[];
}
const fx = loadFixture<{ inputs: Record<string, InputSet>; rewards: Record<string, (number | null)[][]>; weights: Record<string, number[]>; cases: LossCase[] }>('grpo-loss');

/** Rows `rows` of a [B, T] fixture tensor. */
function pickRows(t: FixtureTensor, rows: number[]): tf.Tensor2D {
  const [, cols] = t.shape as [number, number];
  const v = values(t);
  return tf.tensor2d(rows.flatMap((r) => v.slice(r * cols, (r + 1) * cols)), [rows.length, cols]);
}

function runCase(c: LossCase) {
  const inp = fx.inputs[c.inputs]!;
  const adv = computeAdvantages(fx.rewards[c.rewards]!, {
    weights: fx.weights[c.rewards]!,
    numGenerations: c.numGenerations,
    scaleRewards: c.config.scaleRewards,
    multiObjectiveAggregation: c.config.multiObjectiveAggregation,
  });
  const lp = pickRows(inp.logProbs, c.rows);
  const old = c.onPolicy ? null : pickRows(inp.oldLogProbs!, c.rows);
  const ref = pickRows(inp.refLogProbs, c.rows);
  const mask = pickRows(inp.mask, c.rows);
  const ent = pickRows(inp.entropies, c.rows);
  const advantages = c.rows.map((r) => adv.advantages[r]!);
  const truncated = c.rows.map((r) => inp.truncated[r]!);
  let out: ReturnType<typeof grpoLoss> | undefined;
  const cfg = { ...c.config, delta: c.config.delta ?? null };
  const f = (x: tf.Tensor) => {
    out = grpoLoss(
      { logProbs: x as tf.Tensor2D, oldLogProbs: old, refLogProbs: ref, advantages, mask, entropies: ent, truncated, numItemsInBatch: c.numItemsInBatch, gradientAccumulationSteps: c.gradientAccumulationSteps },
      cfg,
    );
    return out.loss;
  };
  const { grad } = tf.valueAndGrad(f)(lp);
  f(lp); // again outside the gradient scope, which disposes what the function returned besides the loss
  const res = { advantages, loss: out!.loss.dataSync()[0]!, grad: Array.from(grad.dataSync()), perTokenLoss: Array.from(out!.perTokenLoss.dataSync()), metrics: {} as Record<string, number> };
  for (const [k, v] of Object.entries(out!.metrics)) res.metrics[GRPO_METRIC_NAMES[k as keyof GrpoLossMetrics]] = (v as tf.Scalar).dataSync()[0]!;
  return res;
}

describe('grpoLoss vs PyTorch reference', () => {
  it('has the whole matrix: 6 loss types × 3 scalings × 2 levels × 2 policies × 2 betas, luspo at sequence level, and the extras', () => {
    const names = new Set(fx.cases.map((c) => c.name));
    for (const lt of ['grpo', 'bnpo', 'dr_grpo', 'dapo', 'cispo', 'sapo']) for (const s of ['group', 'batch', 'none']) for (const l of ['token', 'sequence']) for (const p of ['onPolicy', 'offPolicy']) for (const b of ['0.0', '0.04']) expect(names.has(`${lt}/${s}/${l}/${p}/beta=${b}`)).toBe(true);
    for (const extra of ['normalize_then_sum/dapo', 'unscorable/group', 'G=1/group', 'equal/group', 'topEntropyQuantile=0.2/dapo', 'maskTruncatedCompletions/dapo', 'delta=1.5/grpo/token']) expect(names.has(extra)).toBe(true);
    // off-policy cases really clip: some token-level case clips low and high
    const off = fx.cases.find((c) => c.name === 'dapo/group/token/offPolicy/beta=0.0')!;
    expect(off.metrics['clip_ratio/low_mean']).toBeGreaterThan(0);
    expect(off.metrics['clip_ratio/high_mean']).toBeGreaterThan(0);
  });

  const tfjs = tf;
  for (const c of fx.cases) {
    it(c.name, () => {
      tfjs.engine().startScope();
      try {
        const r = runCase(c);
        expect(worstError(r.advantages, c.rows.map((i) => values(c.advantages)[i]!)), 'advantages').toBeLessThanOrEqual(TOL);
        expect(worstError([r.loss], [c.loss]), `loss ${r.loss} vs ${c.loss}`).toBeLessThanOrEqual(TOL);
        expect(worstError(r.perTokenLoss, values(c.perTokenLoss)), 'perTokenLoss').toBeLessThanOrEqual(TOL);
        expect(worstError(r.grad, values(c.grad)), 'grad').toBeLessThanOrEqual(TOL);
        expect(Object.keys(r.metrics).sort()).toEqual(Object.keys(c.metrics).sort());
        for (const [k, v] of Object.entries(c.metrics)) expect(worstError([r.metrics[k]!], [v]), k).toBeLessThanOrEqual(TOL);
      } finally {
        tfjs.engine().endScope();
      }
    });
  }

  it('gradient accumulation: the micro-batch losses of one step sum to the full-batch loss (dapo, cispo, grpo, bnpo, dr_grpo)', () => {
    for (const lt of ['dapo', 'cispo', 'grpo', 'bnpo', 'dr_grpo']) {
      const parts = fx.cases.filter((c) => c.name.startsWith(`accumulation/${lt}/`)).map((c) => runCase(c).loss);
      expect(parts).toHaveLength(2);
      const full = fx.cases.find((c) => c.name === `${lt}/group/token/offPolicy/beta=0.04`)!;
      // dapo/cispo (global token count), dr_grpo (constant) and grpo (mean of sequence means, equal halves) add up
      // to the full batch; bnpo normalises by the micro-batch's own tokens, so it does not (TRL documents this)
      if (lt === 'bnpo') expect(Math.abs(parts[0]! + parts[1]! - full.loss)).toBeGreaterThan(1e-4);
      else expect(parts[0]! + parts[1]!).toBeCloseTo(full.loss, 5);
    }
  });
});

describe('grpoLoss, hand-checked', () => {
  const cfg = (over: Partial<GrpoLossConfig> = {}): GrpoLossConfig => ({ ...parseGrpoConfig({ maxCompletionLength: 4 }), ...over });
  const lp = () => tf.tensor2d([[-1, -2, -0.5, -3], [-0.7, -1.1, -2, -0.2]]);
  const mask = [1, 1, 1, 0, 1, 1, 1, 1];

  it('with μ = 1 (old = current log-probs) the loss is ~0 while the gradient is not', () => {
    for (const lossType of ['grpo', 'bnpo', 'dr_grpo', 'dapo', 'cispo', 'sapo'] as const) {
      for (const importanceSamplingLevel of ['token', 'sequence'] as const) {
        const x = lp();
        // zero-mean advantages over equal-length sequences: every normalisation gives −mean(A)·1 = 0
        const g = tf.valueAndGrad((y: tf.Tensor) => grpoLoss({ logProbs: y as tf.Tensor2D, advantages: [1, -1], mask: new Array(8).fill(1) }, cfg({ lossType, importanceSamplingLevel })).loss)(x);
        const value = g.value.dataSync()[0]!;
        const grad = Array.from(g.grad.dataSync());
        if (lossType === 'cispo') {
          // cispo's surrogate is −r̂·A·ℓ: not 0 in value, but the same gradient direction (A·∇ℓ)
          expect(Math.abs(value)).toBeGreaterThan(0.01);
        } else if (lossType === 'sapo') {
          // σ(0)·4/τ·A = 2A/τ: the mean over the two sequences cancels only for τ_pos = τ_neg
          expect(Math.abs(value)).toBeLessThan(0.1);
        } else expect(Math.abs(value)).toBeLessThan(1e-7);
        expect(Math.max(...grad.map(Math.abs))).toBeGreaterThan(0.01);
        // the gradient pushes the positive-advantage sequence up and the negative one down
        expect(grad[0]!).toBeLessThan(0);
        expect(grad[4]!).toBeGreaterThan(0);
        tf.dispose([x, g.value, g.grad]);
      }
    }
  });

  it('clipping engages exactly beyond 1 ± ε (token level): zero gradient outside, A·r inside', () => {
    const eps = 0.2;
    const ratios = [1 - eps - 1e-3, 1 - eps + 1e-3, 1 + eps - 1e-3, 1 + eps + 1e-3];
    const old = tf.zeros([2, 4]) as tf.Tensor2D;
    const x = tf.tensor2d([ratios.map(Math.log), ratios.map(Math.log)]);
    for (const [row, a] of [[0, 1], [1, -1]] as const) {
      const g = tf.grad((y: tf.Tensor) => grpoLoss({ logProbs: y as tf.Tensor2D, oldLogProbs: old, advantages: [1, -1], mask: new Array(8).fill(1) }, cfg({ lossType: 'dapo', epsilon: eps, epsilonHigh: eps })).loss)(x);
      const gr = Array.from(g.dataSync()).slice(row * 4, row * 4 + 4);
      // A > 0: only r > 1 + ε is clipped; A < 0: only r < 1 − ε is clipped. Unclipped: ∂/∂ℓ (−r·A / 8) = −r·A/8
      const clipped = a > 0 ? [false, false, false, true] : [true, false, false, false];
      gr.forEach((v, i) => (clipped[i] ? expect(v).toBe(0) : expect(v).toBeCloseTo((-ratios[i]! * a) / 8, 6)));
      g.dispose();
    }
    const out = grpoLoss({ logProbs: x, oldLogProbs: old, advantages: [1, -1], mask: new Array(8).fill(1) }, cfg({ lossType: 'dapo', epsilon: eps, epsilonHigh: eps }));
    expect(out.metrics.clipRatioHigh!.dataSync()[0]).toBeCloseTo(1 / 8, 7);
    expect(out.metrics.clipRatioLow!.dataSync()[0]).toBeCloseTo(1 / 8, 7);
    expect(out.metrics.clipRatioRegion!.dataSync()[0]).toBeCloseTo(2 / 8, 7);
    tf.dispose([old, x, out.loss, out.perTokenLoss, out.mask, ...Object.values(out.metrics)]);
  });

  it('GSPO equals token level when every sequence has one token', () => {
    const x = tf.tensor2d([[-1, -9], [-0.3, -9], [-2, -9]]);
    const old = tf.tensor2d([[-1.4, -9], [-0.1, -9], [-2.5, -9]]);
    const ref = tf.tensor2d([[-1.1, -9], [-0.2, -9], [-2.2, -9]]);
    const m = [1, 0, 1, 0, 1, 0];
    for (const lossType of ['grpo', 'dapo', 'bnpo', 'dr_grpo', 'cispo', 'sapo'] as const) {
      const run = (importanceSamplingLevel: 'token' | 'sequence') => {
        const f = (y: tf.Tensor) => grpoLoss({ logProbs: y as tf.Tensor2D, oldLogProbs: old, refLogProbs: ref, advantages: [0.8, -1.2, 0.4], mask: m }, cfg({ lossType, importanceSamplingLevel, beta: 0.1 })).loss;
        const { value, grad } = tf.valueAndGrad(f)(x);
        return [value.dataSync()[0]!, ...Array.from(grad.dataSync())];
      };
      expect(worstError(run('sequence'), run('token'))).toBeLessThan(1e-6);
    }
    tf.dispose([x, old, ref]);
  });

  it('grpoMicroBatchWeight: active tokens for dapo/cispo, 1 otherwise', () => {
    expect(grpoMicroBatchWeight('dapo', 17)).toBe(17);
    expect(grpoMicroBatchWeight('cispo', 3)).toBe(3);
    expect(grpoMicroBatchWeight('grpo', 17)).toBe(1);
  });

  it('leaks no tensors', () => {
    const x = lp();
    const before = tf.memory().numTensors;
    const out = grpoLoss({ logProbs: x, refLogProbs: x, advantages: [1, -1], mask, entropies: new Array(8).fill(1) }, cfg({ beta: 0.1, topEntropyQuantile: 0.5 }));
    tf.dispose([out.loss, out.perTokenLoss, out.mask, ...Object.values(out.metrics)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('every bad input is a GrpoInputError naming it', () => {
    const x = lp();
    const base = { logProbs: x, advantages: [1, -1], mask };
    expect(() => grpoLoss({ ...base, logProbs: tf.zeros([2]) as never }, cfg())).toThrow(/grpo input\.logProbs: must be a \[B, T\] tensor/);
    expect(() => grpoLoss({ ...base, oldLogProbs: tf.zeros([2, 3]) as tf.Tensor2D }, cfg())).toThrow(/grpo input\.oldLogProbs: must be a \[2, 4\] tensor/);
    expect(() => grpoLoss(base, cfg({ beta: 0.1 }))).toThrow(/grpo input\.refLogProbs: is required when beta > 0/);
    expect(() => grpoLoss(base, cfg({ topEntropyQuantile: 0.2 }))).toThrow(/grpo input\.entropies: are required/);
    expect(() => grpoLoss(base, cfg({ maskTruncatedCompletions: true }))).toThrow(/grpo input\.truncated: is required/);
    expect(() => grpoLoss({ ...base, truncated: [true] }, cfg())).toThrow(/grpo input\.truncated: must have one entry per completion/);
    expect(() => grpoLoss({ ...base, mask: [1, 1] }, cfg())).toThrow(/grpo input\.mask: must be a \[2, 4\] tensor or 8/);
    expect(() => grpoLoss({ ...base, advantages: [1] }, cfg())).toThrow(/grpo input\.advantages: must have one value per completion \(2\)/);
    expect(() => grpoLoss({ ...base, advantages: [1, NaN] }, cfg())).toThrow(/grpo input\.advantages\.1: must be finite/);
    expect(() => grpoLoss({ ...base, entropies: [1] }, cfg())).toThrow(/grpo input\.entropies/);
    expect(() => grpoLoss({ ...base, numItemsInBatch: 0 }, cfg())).toThrow(/grpo input\.numItemsInBatch/);
    expect(() => grpoLoss({ ...base, gradientAccumulationSteps: 0 }, cfg())).toThrow(/grpo input\.gradientAccumulationSteps/);
    expect(() => grpoLoss(base, cfg({ lossType: 'luspo' }))).toThrow(/grpo input\.importanceSamplingLevel/);
    expect(() => grpoLoss(base, cfg({ lossType: 'nope' as never }))).toThrow(GrpoInputError);
    x.dispose();
  });
});
