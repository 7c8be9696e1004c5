/**
 * Composite kernels of {@link CrossEntropy} and {@link CrossEntropyGrad} (see docs/guides/kernels.md).
 * The forward pass selects the label logits with a batched gather, never a one-hot.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CrossEntropy, CrossEntropyGrad } from '../names';
import { type CompositeKernel, idMask, idsInRange, logSumExp, numAttr, pickPerRow, tensorInputs } from './common';

/**
 * Rows kept (`labels != ignoreIndex`, bool [N]), labels inside `[0, V)` (bool [N]) and the labels with
 * ignored or out-of-range rows set to 0 (int32 [N]): nothing is ever gathered out of bounds.
 */
function keptRows(labels: tf.Tensor1D, ignoreIndex: number, v: number): { keep: tf.Tensor1D; valid: tf.Tensor1D; safe: tf.Tensor1D } {
  const keep = tf.notEqual(labels, tf.scalar(ignoreIndex, 'int32')) as tf.Tensor1D;
  const valid = idsInRange(labels, v);
  const safe = tf.where(tf.logicalAnd(keep, valid), labels, tf.zerosLike(labels)) as tf.Tensor1D;
  return { keep, valid, safe };
}

/** `1 / max(count, 1)` as a float32 scalar, with `count` the number of kept rows. */
function invCount(keep: tf.Tensor1D): tf.Scalar {
  return tf.div(tf.scalar(1), tf.maximum(tf.sum(tf.cast(keep, 'float32')), tf.scalar(1)));
}

/** Forward: mean over kept rows of `lse_n - logits[n, labels[n]]`; 0 when every row is ignored. */
export const crossEntropyComposite: CompositeKernel = {
  kernelName: CrossEntropy,
  kernelFunc: ({ inputs, attrs }) => {
    const { logits, labels } = tensorInputs(CrossEntropy, inputs, ['logits', 'labels'] as const);
    const ignoreIndex = numAttr(CrossEntropy, attrs, 'ignoreIndex');
    if (logits.shape[0] === 0) return tf.scalar(0); // no row: the same as every row ignored
    return tf.tidy(() => {
      const l2 = logits as tf.Tensor2D;
      const n = l2.shape[0];
      const { keep, valid, safe } = keptRows(labels as tf.Tensor1D, ignoreIndex, l2.shape[1]);
      const lse = tf.reshape(logSumExp(l2), [n]);
      // a kept row with a label outside [0, V): NaN loss (the contract when validation is off)
      const rowLoss = tf.where(valid, tf.sub(lse, pickPerRow(l2, safe)), tf.scalar(NaN));
      // where, not a multiply: an ignored row with non-finite logits must not turn the loss into NaN
      const kept = tf.where(keep, rowLoss, tf.zerosLike(rowLoss));
      return tf.mul(tf.sum(kept), invCount(keep));
    });
  },
};

/** Backward: `dy / count * (softmax(logits[n]) - onehot(labels[n]))` for kept rows, 0 for ignored rows. */
export const crossEntropyGradComposite: CompositeKernel = {
  kernelName: CrossEntropyGrad,
  kernelFunc: ({ inputs, attrs }) => {
    const { dy, logits, labels } = tensorInputs(CrossEntropyGrad, inputs, ['dy', 'logits', 'labels'] as const);
    const ignoreIndex = numAttr(CrossEntropyGrad, attrs, 'ignoreIndex');
    if (logits.shape[0] === 0) return tf.zeros(logits.shape);
    return tf.tidy(() => {
      const [n, v] = logits.shape as [number, number];
      const { keep, valid, safe } = keptRows(labels as tf.Tensor1D, ignoreIndex, v);
      const p = tf.softmax(logits);
      const diff = tf.where(idMask(safe, n, v), tf.sub(p, tf.scalar(1)), p);
      const scaled = tf.where(tf.reshape(valid, [n, 1]), tf.mul(diff, tf.mul(tf.reshape(dy, []), invCount(keep))), tf.scalar(NaN));
      return tf.where(tf.reshape(keep, [n, 1]), scaled, tf.zerosLike(scaled));
    });
  },
};

/** The composite kernels of this file. */
export const crossEntropyComposites: CompositeKernel[] = [crossEntropyComposite, crossEntropyGradComposite];
