/**
 * The contrastive objective of the built-in embedder: InfoNCE with in-batch negatives (as in DPR, E5, GTE), where
 * every other positive of the batch is a negative for a query.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * InfoNCE with in-batch negatives: row `i` of `queries` should be most similar to row `i` of `passages`.
 * The loss is the mean cross-entropy of `softmax(q · pᵀ / temperature)` against the diagonal; with `symmetric`,
 * the mean of that and the passage → query direction. Inputs are expected unit-normalised (cosine similarities).
 *
 * @param queries - `[B, D]`
 * @param passages - `[B, D]`
 * @param temperature - softmax temperature (e.g. 0.05)
 * @param symmetric - also score passages against queries (default true)
 * @returns the scalar loss and the in-batch top-1 accuracy (query → passage)
 */
export function infoNceLoss(queries: tf.Tensor2D, passages: tf.Tensor2D, temperature: number, symmetric = true): { loss: tf.Scalar; accuracy: tf.Scalar } {
  return tf.tidy(() => {
    const b = queries.shape[0];
    const logits = tf.div(tf.matMul(queries, passages, false, true), temperature) as tf.Tensor2D; // [B, B]
    const labels = tf.oneHot(tf.range(0, b, 1, 'int32'), b);
    const qp = tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(logits, 1)), 1)));
    const loss = symmetric ? tf.div(tf.add(qp, tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(tf.transpose(logits), 1)), 1)))), 2) : qp;
    const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.range(0, b, 1, 'int32')), 'float32'));
    return { loss: loss as tf.Scalar, accuracy: accuracy as tf.Scalar };
  });
}
