import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { BradleyTerryShapeError, bradleyTerryLoss, pairAccuracy } from '../../src/reward/bradley-terry';

beforeAll(async () => {
  await initBackend('cpu', { log: false });
});

const softplus = (x: number): number => Math.log1p(Math.exp(x));

describe('bradleyTerryLoss', () => {
  it('equals the masked mean of -log sigmoid(rc - rr) (reference computed by hand)', () => {
    const rc = [[1, 0.5], [-2, 3], [0, 0]];
    const rr = [[0, 1], [1, -1], [5, 2]];
    const mask = [[1, 0], [1, 1], [0, 1]];
    let num = 0;
    let den = 0;
    rc.forEach((row, i) => row.forEach((v, j) => {
      if (mask[i]![j]) {
        num += softplus(-(v - rr[i]![j]!));
        den++;
      }
    }));
    const loss = bradleyTerryLoss(tf.tensor2d(rc), tf.tensor2d(rr), tf.tensor2d(mask));
    expect(loss.dataSync()[0]).toBeCloseTo(num / den, 5);
    expect(num / den).toBeCloseTo((softplus(-1) + softplus(3) + softplus(-4) + softplus(2)) / 4, 10);
  });

  it('gives zero gradient to masked (unlabelled) heads and the analytic gradient elsewhere', () => {
    const rc = tf.tensor2d([[0.3, 2.0]]);
    const rr = tf.tensor2d([[0.1, -1.0]]);
    const mask = tf.tensor2d([[1, 0]]);
    const g = tf.grad((x: tf.Tensor) => bradleyTerryLoss(x as tf.Tensor2D, rr, mask))(rc);
    const d = g.dataSync();
    expect(Math.abs(d[1]!)).toBe(0);
    // d/dx softplus(-(x - r)) = -sigmoid(-(x - r))
    expect(d[0]).toBeCloseTo(-1 / (1 + Math.exp(0.2)), 5);
  });

  it('is 0 when nothing is labelled and rejects mismatched shapes', () => {
    expect(bradleyTerryLoss(tf.ones([2, 4]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D).dataSync()[0]).toBe(0);
    expect(() => bradleyTerryLoss(tf.ones([2, 4]) as tf.Tensor2D, tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D)).toThrow(BradleyTerryShapeError);
    expect(() => bradleyTerryLoss(tf.ones([2, 4]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D, tf.zeros([4, 2]) as tf.Tensor2D)).toThrow(/mask: has shape \[4, 2\]/);
  });
});

describe('pairAccuracy', () => {
  it('counts strict wins per labelled head, ties as wrong, NaN for unlabelled heads', () => {
    const acc = pairAccuracy([[1, 0, 5], [2, 1, 5]], [[0, 0, 1], [3, 0, 1]], [[1, 1, 0], [1, 1, 0]]);
    expect(acc[0]).toEqual({ n: 2, accuracy: 0.5 });
    expect(acc[1]).toEqual({ n: 2, accuracy: 0.5 }); // 0 vs 0 is a tie: wrong
    expect(acc[2]!.n).toBe(0);
    expect(Number.isNaN(acc[2]!.accuracy)).toBe(true);
    expect(() => pairAccuracy([[1]], [], [[1]])).toThrow(BradleyTerryShapeError);
  });
});
