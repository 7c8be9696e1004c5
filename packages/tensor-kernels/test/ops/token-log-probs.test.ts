import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokenLogProbs } from '../../src/ops/token-log-probs';
import { naiveTokenLogProbs, vjp } from '../helpers/reference';
import { expectClose, randint, randn, useCpu } from './setup';
import { KernelInputError } from '../../src/kernels/kernel-input-error';

beforeAll(useCpu);

describe('tokenLogProbs', () => {
  for (const [lead, v, scale, seed] of [
    [[6], 10, 1, 1],
    [[2, 4], 9, 2, 2],
    [[5], 16, 30, 3],
    [[2, 1, 3], 5, 1, 4],
  ] as const) {
    it(`matches one-hot log_softmax and its gradient for logits ${JSON.stringify([...lead, v])}`, () => {
      const logits = randn([...lead, v], seed, scale);
      const ids = randint([...lead], v, seed + 10);
      const dy = randn([...lead], seed + 20);
      const y = tokenLogProbs(logits, ids);
      expect(y.shape).toEqual([...lead]);
      expectClose(y, naiveTokenLogProbs(logits, ids), 1e-5, 'y');
      const [g] = vjp((l) => tokenLogProbs(l!, ids), [logits], dy);
      const [r] = vjp((l) => naiveTokenLogProbs(l!, ids), [logits], dy);
      expectClose(g!, r!, 1e-5, 'dlogits');
    });
  }

  it('handles a single [V] row (scalar output)', () => {
    const logits = tf.tensor1d([1, 2, 3]);
    const y = tokenLogProbs(logits, tf.scalar(2, 'int32'));
    expect(y.shape).toEqual([]);
    expect(y.dataSync()[0]).toBeCloseTo(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)), 6);
  });

  it('rejects bad arguments with typed, descriptive errors', () => {
    const logits = tf.zeros([2, 3, 5]);
    expect(() => tokenLogProbs(logits, tf.zeros([2, 4], 'int32'))).toThrow(KernelInputError);
    expect(() => tokenLogProbs(logits, tf.zeros([2, 4], 'int32'))).toThrow(/ids has shape \[2, 4\], expected \[2, 3\]/);
    expect(() => tokenLogProbs(logits, tf.zeros([2, 3]))).toThrow(/ids must be int32, got float32/);
    expect(() => tokenLogProbs(tf.zeros([2, 3], 'int32'), tf.zeros([2], 'int32'))).toThrow(KernelInputError);
    expect(() => tokenLogProbs(tf.scalar(1), tf.scalar(0, 'int32'))).toThrow(/logits must be \[..., V\]/);
    expect(() => tokenLogProbs(logits, tf.fill([2, 3], 5, 'int32'))).toThrow(/tokenLogProbs: ids\[0, 0\] is 5, outside \[0, 5\)/);
  });
});
