/**
 * The negative log-likelihood term of RPO (TRL's `rpo_alpha`): the mean −log π_θ over the completion tokens of the
 * chosen completions, as TRL's `F.cross_entropy` over the chosen rows with masked labels ignored (a token mean over
 * the whole micro-batch, not a mean of per-row means).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { sequenceLogProbs } from './sequence-log-probs';

/**
 * `−Σ m·ℓ / Σ m` over the chosen rows, differentiable in `tokenLogProbs`.
 *
 * @param tokenLogProbs - [N, T] log-probs of the chosen completions' tokens
 * @param mask - [N, T] 1 for completion tokens, 0 for padding
 * @throws `GrpoInputError` (from {@link sequenceLogProbs}) when the shapes differ (a mask that selects no token
 * gives 0)
 */
export function chosenNll(tokenLogProbs: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    // The masked row sums, added up; max(·, 1): an all-padding mask gives 0, not NaN (there is no token to be likely).
    const total = tf.sum(sequenceLogProbs(tokenLogProbs, mask));
    return tf.div(tf.neg(total), tf.maximum(tf.sum(tf.cast(mask, 'float32')), 1)) as tf.Scalar;
  });
}
