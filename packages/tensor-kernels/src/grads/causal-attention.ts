/**
 * Gradient of {@link CausalAttention}: the {@link CausalAttentionGrad} kernel.
 *
 * The engine can only save named inputs that are always present (`saveAllInputs` requires array
 * inputs), so this registered gradient covers calls without `keyMask`. The `causalAttention` op sends
 * calls with a `keyMask` through `tf.customGrad` with {@link causalAttentionBackward}, which saves the
 * mask and calls the same backward kernel.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, CausalAttentionGrad } from '../kernels/names';
import { runMulti, single } from './common';

/** `[dq, dk, dv]` from one {@link CausalAttentionGrad} call. */
export function causalAttentionBackward(
  dy: tf.Tensor,
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  keyMask: tf.Tensor | undefined,
  scale: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const inputs: tf.NamedTensorMap = keyMask === undefined ? { dy, q, k, v } : { dy, q, k, v, keyMask };
  const [dq, dk, dv] = runMulti(CausalAttentionGrad, inputs, { scale });
  return [dq!, dk!, dv!];
}

/** `{q, k, v}` gradients of a call without `keyMask`. */
export const causalAttentionGradConfig: tf.GradConfig = {
  kernelName: CausalAttention,
  inputsToSave: ['q', 'k', 'v'],
  gradFunc: (dy, saved, attrs) => {
    const [q, k, v] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
    const [dq, dk, dv] = causalAttentionBackward(single(dy), q, k, v, undefined, attrs.scale as number);
    return { q: () => dq, k: () => dk, v: () => dv };
  },
};
