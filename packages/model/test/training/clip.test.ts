import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm, globalNorm } from '../../src/training/clip';
import { useCpu } from './helpers';

beforeAll(useCpu);

describe('clipByGlobalNorm', () => {
  it('computes the global norm over all gradients', () => {
    const g = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]], [1, 2])];
    const n = globalNorm(g);
    expect(n.dataSync()[0]).toBeCloseTo(5, 6);
    expect(globalNorm([]).dataSync()[0]).toBe(0);
    tf.dispose([...g, n]);
  });

  it('scales by maxNorm / (norm + 1e-6) when the norm is above maxNorm', () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) };
    const { grads, norm } = clipByGlobalNorm(g, 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    const s = 1 / (5 + 1e-6);
    expect(Array.from(grads.a.dataSync())).toEqual([Math.fround(3 * s), 0].map((x) => expect.closeTo(x, 7)));
    expect(grads.b.dataSync()[1]).toBeCloseTo(4 * s, 7);
    expect(globalNorm(grads).dataSync()[0]).toBeCloseTo(1, 5);
    // pure: inputs untouched
    expect(Array.from(g.a.dataSync())).toEqual([3, 0]);
    tf.dispose([g.a, g.b, grads.a, grads.b, norm]);
  });

  it('leaves gradients below maxNorm unchanged (new tensors) and leaks nothing', () => {
    const g = [tf.tensor1d([0.3, -0.4])];
    const before = tf.memory().numTensors;
    const { grads, norm } = clipByGlobalNorm(g, 1);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(grads[0]).not.toBe(g[0]);
    expect(Array.from(grads[0]!.dataSync())).toEqual([Math.fround(0.3), Math.fround(-0.4)]);
    tf.dispose([...g, ...grads, norm]);
  });

  it('rejects bad arguments', () => {
    const g = [tf.tensor1d([1])];
    expect(() => clipByGlobalNorm(g, 0)).toThrow(/maxNorm/);
    expect(() => clipByGlobalNorm([tf.tensor1d([1], 'int32')], 1)).toThrow(/float32/);
    expect(() => clipByGlobalNorm(null as unknown as tf.Tensor[], 1)).toThrow(/grads/);
    tf.dispose(g);
  });
});
