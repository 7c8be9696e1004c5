/**
 * Per-token entropy of the sampling distribution (TRL `entropy_from_logits`), for the entropy mask and metric.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * H = logsumexp(z) − Σ softmax(z)·z over the last axis, for logits already divided by the sampling temperature
 * (as TRL does before computing log-probs). Returns [..., ] one rank lower than `logits`.
 */
export function entropyFromLogits(logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const axis = logits.rank - 1;
    const lse = tf.logSumExp(logits, axis);
    const p = tf.softmax(logits, axis);
    return tf.sub(lse, tf.sum(tf.mul(p, logits), axis));
  });
}
