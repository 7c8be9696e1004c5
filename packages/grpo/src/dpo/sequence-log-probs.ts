/**
 * Sequence log-probs from per-token log-probs: the sum over completion tokens (DPO sigmoid) or their mean
 * (TRL's IPO, which length-normalises).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { GrpoInputError } from '../math/input-error';

/**
 * Σ_t m·ℓ per row, or Σ_t m·ℓ / max(Σ_t m, 1) with `average` (IPO), differentiable in `tokenLogProbs`.
 *
 * @param tokenLogProbs - [N, T] log-probs of the completion tokens
 * @param mask - [N, T] 1 for completion tokens, 0 for prompt/padding
 * @throws {@link GrpoInputError} when the shapes differ
 */
export function sequenceLogProbs(tokenLogProbs: tf.Tensor2D, mask: tf.Tensor2D, options: { average?: boolean } = {}): tf.Tensor1D {
  if (!(tokenLogProbs instanceof tf.Tensor) || tokenLogProbs.rank !== 2) throw new GrpoInputError('tokenLogProbs', 'must be an [N, T] tensor');
  if (!(mask instanceof tf.Tensor) || mask.rank !== 2 || mask.shape[0] !== tokenLogProbs.shape[0] || mask.shape[1] !== tokenLogProbs.shape[1]) {
    throw new GrpoInputError('mask', `must have the shape of tokenLogProbs [${tokenLogProbs.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const m = tf.cast(mask, 'float32');
    const s = tf.sum(tf.mul(tokenLogProbs, m), 1);
    return (options.average ? tf.div(s, tf.maximum(tf.sum(m, 1), 1)) : s) as tf.Tensor1D;
  });
}
