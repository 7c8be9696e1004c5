import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adamw, type AdamWOptions } from '../../src/ops/adamw';
import { naiveAdamW } from '../helpers/reference';
import { expectClose, randn, useCpu } from './setup';
import { KernelInputError } from '../../src/kernels/kernel-input-error';

const full = (o: AdamWOptions): Required<AdamWOptions> => ({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, ...o });

beforeAll(useCpu);

describe('adamw', () => {
  const cases: { name: string; shape: number[]; opts: AdamWOptions }[] = [
    { name: 'step 1, defaults', shape: [4, 5], opts: { lr: 1e-3, step: 1 } },
    { name: 'step 10, custom betas', shape: [3, 7], opts: { lr: 2e-2, beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.1, step: 10 } },
    { name: 'no weight decay', shape: [11], opts: { lr: 5e-2, weightDecay: 0, step: 3 } },
  ];
  cases.forEach((c, i) => {
    it(`matches torch.optim.AdamW's update and its gradient (param, grad, m, v): ${c.name}`, () => {
      const p = randn(c.shape, 70 + i);
      const g = randn(c.shape, 80 + i);
      const m = randn(c.shape, 90 + i, 0.1);
      const v = tf.add(0.01, tf.abs(randn(c.shape, 100 + i, 0.02)));
      const out = adamw(p, g, m, v, c.opts);
      const ref = naiveAdamW(p, g, m, v, full(c.opts));
      expectClose(out.param, ref[0]!, 1e-6, 'param');
      expectClose(out.m, ref[1]!, 1e-6, 'm');
      expectClose(out.v, ref[2]!, 1e-6, 'v');
      const dys = [randn(c.shape, 110 + i), randn(c.shape, 120 + i), randn(c.shape, 130 + i)];
      const scalarOf = (ys: tf.Tensor[]): tf.Scalar => tf.addN(ys.map((y, j) => tf.sum(tf.mul(y, dys[j]!)))) as tf.Scalar;
      const ours = tf.grads((a: tf.Tensor, b: tf.Tensor, cc: tf.Tensor, d: tf.Tensor) => {
        const r = adamw(a, b, cc, d, c.opts);
        return scalarOf([r.param, r.m, r.v]);
      })([p, g, m, v]);
      const refs = tf.grads((a: tf.Tensor, b: tf.Tensor, cc: tf.Tensor, d: tf.Tensor) => scalarOf(naiveAdamW(a, b, cc, d, full(c.opts))))([p, g, m, v]);
      ['dparam', 'dgrad', 'dm', 'dv'].forEach((n, j) => expectClose(ours[j]!, refs[j]!, 1e-4, n));
    });
  });

  it('does not modify or dispose its inputs', () => {
    const p = tf.tensor1d([1, 2]);
    const z = tf.zeros([2]);
    const out = adamw(p, tf.ones([2]), z, z, { lr: 0.1, step: 1 });
    expect(Array.from(p.dataSync())).toEqual([1, 2]);
    expect(out.param).not.toBe(p);
    expect(p.isDisposed).toBe(false);
  });

  it('rejects bad arguments with typed, descriptive errors', () => {
    const t = tf.zeros([2, 3]);
    const o = { lr: 1e-3, step: 1 };
    expect(() => adamw(t, tf.zeros([3, 2]), t, t, o)).toThrow(KernelInputError);
    expect(() => adamw(t, tf.zeros([3, 2]), t, t, o)).toThrow("adamw: grad has shape [3, 2], which does not match param's [2, 3]");
    expect(() => adamw(t, t, t, tf.zeros([2]), o)).toThrow(/v has shape \[2\]/);
    expect(() => adamw(t, t, tf.zeros([2, 3], 'int32'), t, o)).toThrow(/m must be float32, got int32/);
    expect(() => adamw(t, t, t, t, { lr: 1e-3, step: 0 })).toThrow(/options.step must be >= 1, got 0/);
    expect(() => adamw(t, t, t, t, { lr: 1e-3, step: 1.5 })).toThrow(/options.step must be an integer/);
    expect(() => adamw(t, t, t, t, { lr: -1, step: 1 })).toThrow(KernelInputError);
    expect(() => adamw(t, t, t, t, { lr: 1e-3, step: 1, beta1: 1 })).toThrow(/options.beta1 must be < 1, got 1/);
    expect(() => adamw(t, t, t, t, { lr: 1e-3, step: 1, beta2: -0.1 })).toThrow(/options.beta2 must be >= 0/);
    expect(() => adamw(t, t, t, t, { step: 1 } as AdamWOptions)).toThrow(/options.lr must be a number, got undefined/);
    expect(() => adamw(t, t, t, t, undefined as unknown as AdamWOptions)).toThrow(KernelInputError);
  });
});
