/**
 * Composite kernels of {@link TokenLogProbs} and {@link TokenLogProbsGrad} (see docs/guides/kernels.md).
 * The forward pass selects the token logits with a batched gather, never a one-hot.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { TokenLogProbs, TokenLogProbsGrad } from '../names';
import { type CompositeKernel, idMask, logSumExp, pickPerRow, tensorInputs } from './common';

/** Forward: `logits[n, ids[n]] - lse_n`, shape [N]. */
export const tokenLogProbsComposite: CompositeKernel = {
  kernelName: TokenLogProbs,
  kernelFunc: ({ inputs }) => {
    const { logits, ids } = tensorInputs(TokenLogProbs, inputs, ['logits', 'ids'] as const);
    return tf.tidy(() => {
      const l2 = logits as tf.Tensor2D;
      return tf.sub(pickPerRow(l2, ids as tf.Tensor1D), tf.reshape(logSumExp(l2), [l2.shape[0]]));
    });
  },
};

/** Backward: `dlogits[n] = dy[n] * (onehot(ids[n]) - softmax(logits[n]))`. */
export const tokenLogProbsGradComposite: CompositeKernel = {
  kernelName: TokenLogProbsGrad,
  kernelFunc: ({ inputs }) => {
    const { dy, logits, ids } = tensorInputs(TokenLogProbsGrad, inputs, ['dy', 'logits', 'ids'] as const);
    return tf.tidy(() => {
      const [n, v] = logits.shape as [number, number];
      const p = tf.softmax(logits);
      const diff = tf.where(idMask(ids as tf.Tensor1D, n, v), tf.sub(tf.scalar(1), p), tf.neg(p));
      return tf.mul(diff, tf.reshape(dy, [n, 1]));
    });
  },
};

/** The composite kernels of this file. */
export const tokenLogProbsComposites: CompositeKernel[] = [tokenLogProbsComposite, tokenLogProbsGradComposite];
