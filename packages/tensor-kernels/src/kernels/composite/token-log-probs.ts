/**
 * Composite kernels of {@link TokenLogProbs} and {@link TokenLogProbsGrad} (see docs/guides/kernels.md).
 * The forward pass selects the token logits with a batched gather, never a one-hot.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { TokenLogProbs, TokenLogProbsGrad } from '../names';
import { type CompositeKernel, idMask, idsInRange, logSumExp, pickPerRow, tensorInputs } from './common';

/** Forward: `logits[n, ids[n]] - lse_n`, shape [N]; NaN for an id outside `[0, V)` (never gathered). */
export const tokenLogProbsComposite: CompositeKernel = {
  kernelName: TokenLogProbs,
  kernelFunc: ({ inputs }) => {
    const { logits, ids } = tensorInputs(TokenLogProbs, inputs, ['logits', 'ids'] as const);
    const [n, v] = logits.shape as [number, number];
    if (n === 0) return tf.zeros([0]);
    return tf.tidy(() => {
      const l2 = logits as tf.Tensor2D;
      const valid = idsInRange(ids as tf.Tensor1D, v);
      const safe = tf.where(valid, ids, tf.zerosLike(ids)) as tf.Tensor1D;
      const lp = tf.sub(pickPerRow(l2, safe), tf.reshape(logSumExp(l2), [n]));
      return tf.where(valid, lp, tf.scalar(NaN));
    });
  },
};

/** Backward: `dlogits[n] = dy[n] * (onehot(ids[n]) - softmax(logits[n]))`; a NaN row for an out-of-range id. */
export const tokenLogProbsGradComposite: CompositeKernel = {
  kernelName: TokenLogProbsGrad,
  kernelFunc: ({ inputs }) => {
    const { dy, logits, ids } = tensorInputs(TokenLogProbsGrad, inputs, ['dy', 'logits', 'ids'] as const);
    return tf.tidy(() => {
      const [n, v] = logits.shape as [number, number];
      const p = tf.softmax(logits);
      const diff = tf.where(idMask(ids as tf.Tensor1D, n, v), tf.sub(tf.scalar(1), p), tf.neg(p));
      const valid = tf.reshape(idsInRange(ids as tf.Tensor1D, v), [n, 1]);
      return tf.where(valid, tf.mul(diff, tf.reshape(dy, [n, 1])), tf.scalar(NaN));
    });
  },
};

/** The composite kernels of this file. */
export const tokenLogProbsComposites: CompositeKernel[] = [tokenLogProbsComposite, tokenLogProbsGradComposite];
