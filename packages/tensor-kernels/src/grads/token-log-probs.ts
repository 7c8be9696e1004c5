/**
 * Gradient of {@link TokenLogProbs}: the {@link TokenLogProbsGrad} kernel. Ids get zeros.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { TokenLogProbs, TokenLogProbsGrad } from '../kernels/names';
import { runSingle, single, zeroGrad } from './common';

/** `{logits}` gradient (ids: zeros). */
export const tokenLogProbsGradConfig: tf.GradConfig = {
  kernelName: TokenLogProbs,
  inputsToSave: ['logits', 'ids'],
  gradFunc: (dy, saved) => {
    const [logits, ids] = saved as [tf.Tensor, tf.Tensor];
    return {
      logits: () => runSingle(TokenLogProbsGrad, { dy: single(dy), logits, ids }, {}),
      ids: () => zeroGrad(ids),
    };
  },
};
