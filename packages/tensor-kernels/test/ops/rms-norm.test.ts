import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { rmsNorm } from '../../src/ops/rms-norm';
import { vjp } from '../helpers/reference';
import { expectClose, randn, useCpu } from './setup';
import { KernelInputError } from '../../src/kernels/kernel-input-error';

function naive(x: tf.Tensor, w: tf.Tensor, eps: number): tf.Tensor {
  return tf.mul(tf.div(x, tf.sqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), w);
}

beforeAll(useCpu);

describe('rmsNorm', () => {
  for (const [shape, eps, seed] of [
    [[5, 16], 1e-6, 1],
    [[2, 3, 8], 1e-5, 2],
    [[7], 1e-6, 3],
  ] as const) {
    it(`matches the naive formula and its gradient for x ${JSON.stringify(shape)}`, () => {
      const x = randn([...shape], seed, 2);
      const w = tf.add(1, randn([shape[shape.length - 1]!], seed + 100, 0.3));
      const dy = randn([...shape], seed + 200);
      expectClose(rmsNorm(x, w, eps), naive(x, w, eps), 1e-5, 'y');
      const [gx, gw] = vjp((a, b) => rmsNorm(a!, b!, eps), [x, w], dy);
      const [rx, rw] = vjp((a, b) => naive(a!, b!, eps), [x, w], dy);
      expectClose(gx!, rx!, 1e-4, 'dx');
      expectClose(gw!, rw!, 1e-4, 'dweight');
    });
  }

  it('uses eps = 1e-6 by default', () => {
    const x = tf.tensor2d([[1e-4, -2e-4, 3e-4]]);
    const w = tf.ones([3]);
    expectClose(rmsNorm(x, w), naive(x, w, 1e-6), 1e-6, 'y');
    expect(Math.abs(rmsNorm(x, w).dataSync()[0]! - naive(x, w, 1e-5).dataSync()[0]!)).toBeGreaterThan(1e-3);
  });

  it('rejects bad arguments with typed, descriptive errors', () => {
    const x = tf.zeros([2, 4]);
    expect(() => rmsNorm(x, tf.ones([3]))).toThrow(KernelInputError);
    expect(() => rmsNorm(x, tf.ones([3]))).toThrow(/weight has shape \[3\], but x \[2, 4\] has D = 4/);
    expect(() => rmsNorm(x, tf.ones([1, 4]))).toThrow(KernelInputError);
    expect(() => rmsNorm(x, tf.ones([1, 4]))).toThrow(/weight must be 1-D/);
    expect(() => rmsNorm(tf.scalar(1), tf.ones([1]))).toThrow(/x must have rank >= 1/);
    expect(() => rmsNorm(tf.zeros([2, 4], 'int32'), tf.ones([4]))).toThrow(/rmsNorm: x must be float32, got int32 \(shape \[2, 4\]\)/);
    expect(() => rmsNorm(x, tf.ones([4]), -1)).toThrow(KernelInputError);
    expect(() => rmsNorm(x, tf.ones([4]), Number.NaN)).toThrow(/eps must be a number/);
    expect(() => rmsNorm([1, 2] as unknown as tf.Tensor, tf.ones([4]))).toThrow(/x must be a tf.Tensor/);
    const gone = tf.ones([4]);
    gone.dispose();
    expect(() => rmsNorm(x, gone)).toThrow(/weight \(shape \[4\]\) has been disposed/);
  });
});
