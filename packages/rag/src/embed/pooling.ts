/**
 * Sentence-embedding pooling: the mean of a sequence's hidden states over its real (non-padding) tokens, scaled to
 * unit L2 norm (as sentence-transformers' `Pooling(mean)` + `Normalize`).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean-pools `hidden` `[B, T, D]` over the positions where `mask` `[B, T]` is 1 and L2-normalises each row.
 * Differentiable (use it inside a loss). A row without real tokens pools to zeros (callers refuse empty texts first).
 *
 * @param hidden - hidden states `[B, T, D]`
 * @param mask - 1 for real tokens, 0 for padding, `[B, T]` (any numeric dtype)
 * @returns unit vectors `[B, D]`
 */
export function meanPoolNormalize(hidden: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const m = tf.expandDims(tf.cast(mask, 'float32'), 2); // [B, T, 1]
    const summed = tf.sum(tf.mul(hidden, m), 1); // [B, D]
    const counts = tf.maximum(tf.sum(m, 1), 1); // [B, 1]
    const mean = tf.div(summed, counts);
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(mean), 1, true), 1e-12));
    return tf.div(mean, norm) as tf.Tensor2D;
  });
}
