/**
 * The causal-LM label convention in one place: labels are aligned with the input ids, `IGNORE_INDEX`
 * marks positions without loss, and the loss at position `t` predicts `labels[:, t + 1]` (the shift).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Label value excluded from the loss (the Hugging Face / PyTorch `ignore_index`). */
export const IGNORE_INDEX = -100;

/**
 * Shifts aligned labels `[B, T]` left by one so that position `t` holds the target of position `t`:
 * `out[:, t] = labels[:, t + 1]` and `out[:, T - 1] = IGNORE_INDEX`. Works on an int32 tensor (returns a new
 * tensor, the caller disposes it) or on row-major `Int32Array` data of shape `[b, t]` (returns a new array).
 * Shifting the small labels instead of slicing the `[B, T, V]` logits leaves the mean over the non-ignored
 * positions unchanged.
 *
 * @param labels - `[B, T]` int32 labels (tensor), or the row-major data of such a tensor
 * @throws RangeError for a tensor that is not rank 2, or array data whose length is not `B · T`
 */
export function shiftLabels(labels: tf.Tensor2D): tf.Tensor2D;
/**
 * `shiftLabels` on row-major `Int32Array` data (returns a new array).
 *
 * @param labels - the row-major data of `[B, T]` int32 labels
 * @param shape - `[B, T]`
 */
export function shiftLabels(labels: Int32Array, shape: readonly [number, number]): Int32Array;
export function shiftLabels(labels: tf.Tensor2D | Int32Array, shape?: readonly [number, number]): tf.Tensor2D | Int32Array {
  if (labels instanceof tf.Tensor) {
    if (labels.rank !== 2) throw new RangeError(`shiftLabels: labels must be [B, T], got [${labels.shape.join(', ')}]`);
    const [b, t] = labels.shape;
    return tf.tidy(() =>
      t <= 1
        ? (tf.fill([b, t], IGNORE_INDEX, 'int32') as tf.Tensor2D)
        : (tf.concat([tf.slice(labels, [0, 1], [b, t - 1]), tf.fill([b, 1], IGNORE_INDEX, 'int32')], 1) as tf.Tensor2D),
    );
  }
  if (!shape || shape.length !== 2 || labels.length !== shape[0] * shape[1]) {
    throw new RangeError(`shiftLabels: array data needs its [B, T] shape (length ${labels.length}, shape ${shape ? `[${shape.join(', ')}]` : 'missing'})`);
  }
  const [b, t] = shape;
  const out = new Int32Array(b * t).fill(IGNORE_INDEX);
  for (let i = 0; i < b; i++) out.set(labels.subarray(i * t + 1, (i + 1) * t), i * t);
  return out;
}

/** Number of positions that count in the shifted loss: entries of `shiftLabels(labels)` other than `IGNORE_INDEX`. */
export function countLossTokens(labels: Int32Array, shape: readonly [number, number]): number {
  const shifted = shiftLabels(labels, shape);
  let n = 0;
  for (let i = 0; i < shifted.length; i++) if (shifted[i] !== IGNORE_INDEX) n++;
  return n;
}
