/**
 * The high-entropy token mask of {@link highEntropyMask} computed on tfjs tensors, with no read back to the host:
 * the quantile comes from a sort on the device (`tf.topk` over every position), so it runs on webgpu, where a
 * synchronous read is slow in a browser and impossible in Node (Dawn has no `OffscreenCanvas`).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { quantilePosition } from './entropy-mask';
import { GrpoInputError } from './input-error';

/**
 * {@link highEntropyMask} on tensors: 1 where the token is unpadded (mask ≠ 0) and `entropy · mask` is at least the
 * `threshold`-quantile (torch's linear interpolation) of the unpadded tokens' entropies, else 0; all zeros when no
 * token is unpadded. For 0/1 masks it equals the host version: a quantile between two neighbouring sorted values
 * keeps exactly the tokens at or above the upper one, so the interpolated value itself is never needed.
 *
 * No gradient flows through it (its output is piecewise constant); it is safe to call inside `tf.grad` on
 * entropies derived from the policy. The caller owns the returned tensor.
 *
 * @param entropies - per-token entropies, [B, T]
 * @param mask - 1 for completion tokens, 0 for padding, [B, T]
 * @param threshold - the quantile q in [0, 1] (the policy loss uses 1 − topEntropyQuantile)
 * @returns float32 [B, T] of 0/1
 * @throws {@link GrpoInputError} for mismatched shapes or a threshold outside [0, 1]
 */
export function highEntropyMaskTensor(entropies: tf.Tensor2D, mask: tf.Tensor2D, threshold: number): tf.Tensor2D {
  if (!(entropies instanceof tf.Tensor) || entropies.rank !== 2) throw new GrpoInputError('entropies', 'must be a [B, T] tensor');
  if (!(mask instanceof tf.Tensor) || !tf.util.arraysEqual(mask.shape, entropies.shape)) {
    throw new GrpoInputError('mask', `must be a tensor of the entropies' shape [${entropies.shape.join(', ')}]`);
  }
  if (!(threshold >= 0 && threshold <= 1)) throw new GrpoInputError('q', `must be in [0, 1], got ${threshold}`);
  const [b, t] = entropies.shape;
  const n = b * t;
  // Per possible count k of unpadded tokens, the sorted rank whose value decides: the lower neighbour when the
  // quantile falls exactly on it, else the upper one (values >= an interpolated threshold are those >= the upper).
  const ranks = new Int32Array(n + 1);
  for (let k = 0; k <= n; k++) {
    const p = quantilePosition(threshold, k);
    ranks[k] = p.frac > 0 ? p.hi : p.lo;
  }
  const cut = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [e, m] = args as [tf.Tensor, tf.Tensor];
    const value = tf.tidy(() => {
      const ef = tf.reshape(tf.cast(e, 'float32'), [n]);
      const mf = tf.reshape(tf.cast(m, 'float32'), [n]);
      const on = tf.notEqual(mf, 0);
      // ascending, unpadded values first (padding becomes +Inf and sorts last)
      const padded = tf.where(on, ef, tf.fill([n], Infinity));
      const ascending = tf.neg(tf.topk(tf.neg(padded), n, true).values);
      const count = tf.reshape(tf.sum(tf.cast(on, 'int32')), [1]);
      const thr = tf.gather(ascending, tf.gather(tf.tensor1d(ranks, 'int32'), count));
      const keep = tf.logicalAnd(on, tf.greaterEqual(tf.mul(ef, mf), thr));
      return tf.reshape(tf.cast(keep, 'float32'), [b, t]);
    });
    return { value, gradFunc: () => [tf.zerosLike(e), tf.zerosLike(m)] };
  });
  return cut(entropies, mask) as tf.Tensor2D;
}
