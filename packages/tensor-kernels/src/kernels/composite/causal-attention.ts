/**
 * Composite kernels of {@link CausalAttention} and {@link CausalAttentionGrad} (see docs/guides/kernels.md).
 *
 * Grouped-query attention is computed without repeating k/v: q [B, Hq, Tq, Dh] is viewed as
 * [B, Hkv, G·Tq, Dh] (G = Hq/Hkv; the G query heads of kv head `h` are contiguous, HF order), so one
 * batched matmul against k [B, Hkv, Tk, Dh] gives every score. The causal (and key padding) mask is an
 * additive bias of 0 / -1e30 — finite, so a row whose keys are all masked gives a uniform softmax instead
 * of NaN — and such rows are then zeroed explicitly, as the contract asks.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, CausalAttentionGrad } from '../names';
import { type CompositeKernel, numAttr, optionalInput, tensorInputs } from './common';

/** The additive bias of a masked score (finite, see the file comment). */
const MASKED = -1e30;

/**
 * Causal allowance `[G·Tq, Tk]` as 0/1: row `g·Tq + i` may see key `j` iff `j <= Tk - Tq + i`. Built on
 * the CPU (it only depends on the sizes) and uploaded as one small tensor.
 */
function causalAllowed(g: number, tq: number, tk: number): tf.Tensor2D {
  const data = new Float32Array(g * tq * tk);
  for (let r = 0; r < g * tq; r++) {
    const p = tk - tq + (r % tq);
    const last = Math.min(p, tk - 1);
    data.fill(1, r * tk, r * tk + last + 1);
  }
  return tf.tensor2d(data, [g * tq, tk]);
}

/** Softmax probabilities `P` [B, Hkv, G·Tq, Tk] and the grouped view of q. Call inside `tf.tidy`. */
function probabilities(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  keyMask: tf.Tensor | undefined,
  scale: number,
): { p: tf.Tensor4D; qg: tf.Tensor4D } {
  const [b, hq, tq, dh] = q.shape;
  const [, hkv, tk] = k.shape;
  const g = hq / hkv;
  const qg = tf.reshape(q, [b, hkv, g * tq, dh]) as tf.Tensor4D;
  const scores = tf.mul(tf.matMul(qg, k, false, true), tf.scalar(scale)); // [B, Hkv, G·Tq, Tk]
  const causal = causalAllowed(g, tq, tk);
  let biased = tf.add(scores, tf.mul(tf.sub(causal, tf.scalar(1)), tf.scalar(-MASKED)));
  if (keyMask === undefined) {
    // every row may see key 0 (p >= 0), so no row is fully masked
    return { p: tf.softmax(biased) as tf.Tensor4D, qg };
  }
  const keyOk = tf.cast(tf.notEqual(keyMask, tf.scalar(0, keyMask.dtype)), 'float32'); // [B, Tk]
  biased = tf.add(biased, tf.reshape(tf.mul(tf.sub(keyOk, tf.scalar(1)), tf.scalar(-MASKED)), [b, 1, 1, tk]));
  // rows with at least one allowed key: max_j causal[r, j] * keyOk[b, j], as [B, 1, G·Tq, 1]
  const rowAny = tf.max(tf.mul(tf.reshape(causal, [1, g * tq, tk]), tf.reshape(keyOk, [b, 1, tk])), -1);
  const p = tf.mul(tf.softmax(biased), tf.reshape(rowAny, [b, 1, g * tq, 1])) as tf.Tensor4D;
  return { p, qg };
}

/** Forward: `softmax_j(scale q·k_j over allowed j) · v`, zero for rows without an allowed key. */
export const causalAttentionComposite: CompositeKernel = {
  kernelName: CausalAttention,
  kernelFunc: ({ inputs, attrs }) => {
    const { q, k, v } = tensorInputs(CausalAttention, inputs, ['q', 'k', 'v'] as const);
    const keyMask = optionalInput(CausalAttention, inputs, 'keyMask');
    const scale = numAttr(CausalAttention, attrs, 'scale');
    return tf.tidy(() => {
      const { p } = probabilities(q as tf.Tensor4D, k as tf.Tensor4D, keyMask, scale);
      return tf.reshape(tf.matMul(p, v as tf.Tensor4D), q.shape);
    });
  },
};

/**
 * Backward: `dv = Pᵀ dy`, `dP = dy vᵀ`, `dS = P ∘ (dP - rowsum(dP ∘ P))`, `dq = scale dS k`,
 * `dk = scale dSᵀ q`. In the grouped view the sums over a group's query heads are part of the matmuls.
 */
export const causalAttentionGradComposite: CompositeKernel = {
  kernelName: CausalAttentionGrad,
  kernelFunc: ({ inputs, attrs }) => {
    const { dy, q, k, v } = tensorInputs(CausalAttentionGrad, inputs, ['dy', 'q', 'k', 'v'] as const);
    const keyMask = optionalInput(CausalAttentionGrad, inputs, 'keyMask');
    const scale = numAttr(CausalAttentionGrad, attrs, 'scale');
    return tf.tidy(() => {
      const { p, qg } = probabilities(q as tf.Tensor4D, k as tf.Tensor4D, keyMask, scale);
      const dyg = tf.reshape(dy, qg.shape);
      const dv = tf.matMul(p, dyg, true, false); // [B, Hkv, Tk, Dh]
      const dp = tf.matMul(dyg, v as tf.Tensor4D, false, true); // [B, Hkv, G·Tq, Tk]
      const ds = tf.mul(p, tf.sub(dp, tf.sum(tf.mul(dp, p), -1, true)));
      const sc = tf.scalar(scale);
      const dq = tf.reshape(tf.mul(tf.matMul(ds, k as tf.Tensor4D), sc), q.shape);
      const dk = tf.mul(tf.matMul(ds, qg, true, false), sc);
      return [dq, dk, dv];
    });
  },
};

/** The composite kernels of this file. */
export const causalAttentionComposites: CompositeKernel[] = [causalAttentionComposite, causalAttentionGradComposite];
