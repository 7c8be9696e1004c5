import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '../../src/ops/cross-entropy';
import { vjp } from '../helpers/reference';
import { expectClose, randint, randn, useCpu } from './setup';
import { KernelInputError } from '../../src/kernels/kernel-input-error';
import { TensorKernelsError } from '../../src/error';

/** One-hot cross-entropy: -Σ_kept onehot · log_softmax / count (0 when nothing is kept). */
function naive(logits: tf.Tensor, labels: number[], ignoreIndex: number): tf.Tensor {
  const v = logits.shape[1]!;
  const keep = labels.map((l): number => (l === ignoreIndex ? 0 : 1));
  const count = keep.reduce((a, b) => a + b, 0);
  const onehot = tf.oneHot(tf.tensor1d(labels.map((l, i) => (keep[i] ? l : 0)), 'int32'), v);
  const w = tf.tensor2d(keep, [labels.length, 1]);
  const picked = tf.sum(tf.mul(tf.mul(onehot, tf.logSoftmax(logits)), w));
  return tf.div(tf.neg(picked), Math.max(count, 1));
}

beforeAll(useCpu);

describe('crossEntropy', () => {
  const cases: { name: string; n: number; v: number; labels?: number[]; ignoreIndex?: number; scale: number }[] = [
    { name: 'random labels', n: 6, v: 11, scale: 1 },
    { name: 'ignore-index rows (-100)', n: 5, v: 9, labels: [3, -100, 0, -100, 8], scale: 2 },
    { name: 'custom ignoreIndex inside [0, V)', n: 4, v: 7, labels: [0, 6, 2, 6], ignoreIndex: 6, scale: 1 },
    { name: 'all rows ignored', n: 3, v: 5, labels: [-100, -100, -100], scale: 1 },
    { name: 'large logits', n: 4, v: 13, scale: 40 },
  ];
  cases.forEach((c, i) => {
    it(`matches one-hot cross-entropy and its gradient: ${c.name}`, () => {
      const logits = randn([c.n, c.v], 50 + i, c.scale);
      const labels = c.labels ?? Array.from(randint([c.n], c.v, 60 + i).dataSync());
      const lab = tf.tensor1d(labels, 'int32');
      const ii = c.ignoreIndex ?? -100;
      const opts = c.ignoreIndex === undefined ? {} : { ignoreIndex: c.ignoreIndex };
      const loss = crossEntropy(logits, lab, opts);
      expect(loss.shape).toEqual([]);
      expectClose(loss, naive(logits, labels, ii), 1e-5, 'loss');
      const dy = tf.scalar(1.7);
      const [g] = vjp((l) => crossEntropy(l!, lab, opts), [logits], dy);
      const [r] = vjp((l) => naive(l!, labels, ii), [logits], dy);
      expectClose(g!, r!, 1e-5, 'dlogits');
    });
  });

  it('is 0 with a [0, V] gradient for zero rows (no raw tfjs error)', () => {
    const logits = tf.zeros([0, 5]);
    const lab = tf.tensor1d([], 'int32');
    expect(crossEntropy(logits, lab).dataSync()[0]).toBe(0);
    const [g] = tf.grads((l: tf.Tensor) => crossEntropy(l, lab))([logits]);
    expect(g!.shape).toEqual([0, 5]);
  });

  it('is 0 with zero gradient when every row is ignored', () => {
    const logits = randn([2, 3], 5);
    const lab = tf.tensor1d([-100, -100], 'int32');
    expect(crossEntropy(logits, lab).dataSync()[0]).toBe(0);
    const [g] = tf.grads((l: tf.Tensor) => crossEntropy(l, lab))([logits]);
    expect(Array.from(g!.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('validates the label range (cpu: by default; validate: false skips the read)', () => {
    const logits = tf.zeros([3, 4]);
    const bad = tf.tensor1d([0, 4, 1], 'int32');
    expect(() => crossEntropy(logits, bad)).toThrow(KernelInputError);
    expect(() => crossEntropy(logits, bad)).toThrow(/crossEntropy: labels\[1\] is 4, outside \[0, 4\)/);
    expect(() => crossEntropy(logits, tf.tensor1d([-1, 0, 0], 'int32'))).toThrow(/labels\[0\] is -1/);
    expect(() => crossEntropy(logits, tf.tensor1d([-1, 0, 0], 'int32'), { ignoreIndex: -1 })).not.toThrow();
    expect(() => crossEntropy(logits, tf.tensor1d([-100, 3, 0], 'int32'))).not.toThrow();
    const err = (() => {
      try {
        crossEntropy(logits, bad);
      } catch (e) {
        return e as KernelInputError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(TensorKernelsError);
    expect([err.op, err.field, err.name]).toEqual(['crossEntropy', 'labels', 'KernelInputError']);
    // without validation no kernel reads out of bounds: the bad row's loss (so the mean) is NaN, and so is its gradient row
    expect(crossEntropy(logits, bad, { validate: false }).dataSync()[0]).toBeNaN();
    const [g] = tf.grads((l: tf.Tensor) => crossEntropy(l, bad, { validate: false }))([logits]);
    const rows = g!.arraySync() as number[][];
    expect(rows[1]!.every(Number.isNaN)).toBe(true);
    expect(rows[0]!.every(Number.isFinite) && rows[2]!.every(Number.isFinite)).toBe(true);
  });

  it('rejects bad arguments with typed, descriptive errors', () => {
    const logits = tf.zeros([3, 4]);
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    expect(() => crossEntropy(tf.zeros([1, 3, 4]), labels)).toThrow(KernelInputError);
    expect(() => crossEntropy(tf.zeros([1, 3, 4]), labels)).toThrow(/logits must be \[N, V\], got rank 3 \(shape \[1, 3, 4\]\)/);
    expect(() => crossEntropy(logits, tf.tensor1d([0, 1, 2]))).toThrow(/labels must be int32, got float32/);
    expect(() => crossEntropy(logits, tf.tensor2d([[0, 1, 2]], undefined, 'int32'))).toThrow(/labels must be \[N\], got rank 2/);
    expect(() => crossEntropy(logits, tf.tensor1d([0, 1], 'int32'))).toThrow(KernelInputError);
    expect(() => crossEntropy(logits, tf.tensor1d([0, 1], 'int32'))).toThrow(/labels has shape \[2\], but logits \[3, 4\] has N = 3 rows/);
    expect(() => crossEntropy(logits, labels, { ignoreIndex: 0.5 })).toThrow(/ignoreIndex must be an integer/);
    expect(() => crossEntropy(tf.zeros([3, 0]), labels, { validate: false })).toThrow(/empty vocabulary/);
  });
});
