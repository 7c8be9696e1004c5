/**
 * The negative log-likelihood term of RPO (TRL's `rpo_alpha`): the mean −log π_θ over the completion tokens of the
 * chosen completions, as TRL's `F.cross_entropy` over the chosen rows with masked labels ignored (a token mean over
 * the whole micro-batch, not a mean of per-row means).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { GrpoInputError } from '../math/input-error';

/**
 * `−Σ m·ℓ / Σ m` over the chosen rows, differentiable in `tokenLogProbs`.
 *
 * @param tokenLogProbs - [N, T] log-probs of the chosen completions' tokens
 * @param mask - [N, T] 1 for completion tokens, 0 for padding
 * @throws {@link GrpoInputError} when the shapes differ (a mask that selects no token gives 0)
 */
export function chosenNll(tokenLogProbs: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  if (!(tokenLogProbs instanceof tf.Tensor) || tokenLogProbs.rank !== 2) throw new GrpoInputError('tokenLogProbs', 'must be an [N, T] tensor');
  if (!(mask instanceof tf.Tensor) || mask.rank !== 2 || mask.shape[0] !== tokenLogProbs.shape[0] || mask.shape[1] !== tokenLogProbs.shape[1]) {
    throw new GrpoInputError('mask', `must have the shape of tokenLogProbs [${tokenLogProbs.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const m = tf.cast(mask, 'float32');
    // max(·, 1): an all-padding mask gives 0, not NaN (there is no token to be likely).
    return tf.div(tf.neg(tf.sum(tf.mul(tokenLogProbs, m))), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
  });
}
