import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '@quarkmed/model';
import { parseGrpoConfig } from '../../src/config/grpo-config';
import { highEntropyMask, quantile, quantilePosition } from '../../src/math/entropy-mask';
import { highEntropyMaskTensor } from '../../src/math/high-entropy-mask-tensor';
import { grpoLoss } from '../../src/math/policy-loss';
import { useCpu } from './helpers';

beforeAll(useCpu);

function randomCase(seed: number, b: number, t: number, ties: boolean) {
  const rand = mulberry32(seed);
  const entropies = Float32Array.from({ length: b * t }, () => (ties ? Math.floor(rand() * 4) / 2 : rand() * 3));
  const mask = Float32Array.from({ length: b * t }, () => (rand() < 0.7 ? 1 : 0));
  return { entropies, mask };
}

describe('quantilePosition', () => {
  it('snaps float64 noise to the integer rank ((1 − 0.7)·10 = 3.0000000000000004) and handles n = 0 and 1', () => {
    const q = 1 - 0.7; // the threshold the policy loss uses for topEntropyQuantile 0.7
    expect(q * 10).not.toBe(3);
    expect(quantilePosition(q, 11)).toEqual({ lo: 3, hi: 4, frac: 0 });
    // values 0, 1.5, …, 15: rank 3 is 4.5 exactly (unsnapped: 4.5 + 1.5·4.4e-16 > 4.5 would drop the 4.5 token)
    expect(quantile(Array.from({ length: 11 }, (_, i) => i * 1.5), q)).toBe(4.5);
    expect(Array.from(highEntropyMask(Array.from({ length: 11 }, (_, i) => i * 1.5), new Array(11).fill(1), q)).filter(Boolean)).toHaveLength(8);
    expect(quantilePosition(0.25, 3)).toEqual({ lo: 0, hi: 1, frac: 0.5 });
    expect(quantilePosition(1, 5)).toEqual({ lo: 4, hi: 4, frac: 0 });
    expect(quantilePosition(0.5, 1)).toEqual({ lo: 0, hi: 0, frac: 0 });
    expect(quantilePosition(0.5, 0)).toEqual({ lo: 0, hi: 0, frac: 0 });
  });
});

describe('highEntropyMaskTensor (on the device, no read back)', () => {
  it('equals the host highEntropyMask on random batches, with ties, for every threshold tried', async () => {
    let cases = 0;
    for (const [b, t] of [[1, 1], [3, 5], [8, 13], [16, 32]] as const) {
      for (const ties of [false, true]) {
        for (const q of [0, 0.1, 1 - 0.8, 1 - 0.7, 0.5, 0.7, 0.8, 0.95, 1]) {
          const { entropies, mask } = randomCase(b * 1000 + t * 10 + (ties ? 1 : 0), b, t, ties);
          const want = highEntropyMask(entropies, mask, q);
          const got = tf.tidy(() => highEntropyMaskTensor(tf.tensor2d(entropies, [b, t]), tf.tensor2d(mask, [b, t]), q));
          expect(Array.from(await got.data()), `[${b}, ${t}] ties=${ties} q=${q}`).toEqual(Array.from(want));
          got.dispose();
          cases++;
        }
      }
    }
    expect(cases).toBe(72);
  });

  it('is all zeros without unpadded tokens, and blocks the gradient (zero, not an error) inside tf.grad', async () => {
    const zero = tf.tidy(() => highEntropyMaskTensor(tf.ones([2, 3]) as tf.Tensor2D, tf.zeros([2, 3]) as tf.Tensor2D, 0.5));
    expect(Array.from(await zero.data())).toEqual([0, 0, 0, 0, 0, 0]);
    zero.dispose();
    const x = tf.tensor2d([0.5, 2, 1, 3], [2, 2]);
    const m = tf.tensor2d([1, 1, 1, 0], [2, 2]);
    // d/dx Σ x·mask(x²): the mask is piecewise constant, so the gradient is the mask itself
    const g = tf.grad((y: tf.Tensor) => tf.sum(tf.mul(y, highEntropyMaskTensor(tf.square(y) as tf.Tensor2D, m, 0.5))))(x);
    expect(Array.from(await g.data())).toEqual([0, 1, 1, 0]);
    tf.dispose([x, m, g]);
  });

  it('names the bad input', () => {
    const e = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => highEntropyMaskTensor(e, tf.zeros([3, 2]) as tf.Tensor2D, 0.5)).toThrow(/grpo input\.mask: must be a tensor of the entropies' shape \[2, 3\]/);
    expect(() => highEntropyMaskTensor(tf.zeros([6]) as never, e, 0.5)).toThrow(/grpo input\.entropies/);
    expect(() => highEntropyMaskTensor(e, e, 1.5)).toThrow(/grpo input\.q: must be in \[0, 1\]/);
  });
});

describe('grpoLoss takes host arrays and tensors alike', () => {
  it('same loss, per-token loss, metrics and gradient (entropy mask, truncation, beta > 0, bnpo and dapo)', async () => {
    const b = 4;
    const t = 6;
    const { entropies, mask } = randomCase(77, b, t, false);
    const rand = mulberry32(5);
    const lp = tf.tensor2d(Float32Array.from({ length: b * t }, () => -3 * rand()), [b, t]);
    const ref = tf.tensor2d(Float32Array.from({ length: b * t }, () => -3 * rand()), [b, t]);
    for (const lossType of ['bnpo', 'dapo'] as const) {
      const config = parseGrpoConfig({ lossType, beta: 0.05, topEntropyQuantile: 0.4, maskTruncatedCompletions: true });
      const run = async (asTensors: boolean) => {
        let out: ReturnType<typeof grpoLoss> | undefined;
        const g = tf.grad((y: tf.Tensor) => {
          out = grpoLoss(
            {
              logProbs: y as tf.Tensor2D, refLogProbs: ref, advantages: [0.5, -1, 1.5, -0.2], truncated: [false, true, false, false],
              mask: asTensors ? tf.tensor2d(mask, [b, t]) : mask, entropies: asTensors ? tf.tensor2d(entropies, [b, t]) : Array.from(entropies),
            },
            config,
          );
          for (const v of [out.perTokenLoss, ...Object.values(out.metrics)]) tf.keep(v!);
          return out.loss;
        })(lp);
        const metrics: Record<string, number> = {};
        for (const [k, v] of Object.entries(out!.metrics)) metrics[k] = (await v!.data())[0]!;
        const res = { grad: Array.from(await g.data()), perToken: Array.from(await out!.perTokenLoss.data()), metrics };
        tf.dispose([g, out!.perTokenLoss, ...Object.values(out!.metrics)]);
        return res;
      };
      const host = await run(false);
      const dev = await run(true);
      expect(dev).toEqual(host);
      expect(host.grad.some((x) => x !== 0)).toBe(true);
    }
    tf.dispose([lp, ref]);
  });
});
