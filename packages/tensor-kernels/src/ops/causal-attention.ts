/**
 * Causal scaled-dot-product attention with grouped-query heads, a cached key/value prefix and an
 * optional key padding mask.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { causalAttentionBackward } from '../grads/index';
import { type AttentionAttrs, CausalAttention } from '../kernels/names';
import { ensureKernels } from '../kernels/register';
import { assertDtype, assertNumber, assertTensor, fail, fmtShape } from './validate';

/** Options of {@link causalAttention}. */
export interface CausalAttentionOptions {
  /** Multiplier of q·k (default `1 / sqrt(Dh)`). */
  scale?: number;
  /**
   * `[B, Tk]` key padding mask: key `j` of row `b` may be attended only where `keyMask[b, j] != 0`.
   * float32, int32 or bool (non-float32 masks are converted to float32 for the kernel).
   */
  keyMask?: tf.Tensor;
}

/**
 * Causal attention `softmax(scale · q kᵀ + mask) v` per head.
 *
 * - GQA: `Hq` must be a multiple of `Hkv`; query head `h` uses kv head `floor(h / (Hq / Hkv))`
 *   (Hugging Face `repeat_kv` order).
 * - KV prefix: `Tk >= Tq`; the first `Tk - Tq` keys are a cached prefix, query `i` sits at position
 *   `Tk - Tq + i` and sees keys `j <= Tk - Tq + i`.
 * - `keyMask` removes keys per batch row; a query with no allowed key outputs zeros (and gets a zero
 *   gradient).
 *
 * Differentiable with respect to q, k and v.
 *
 * NaN and ±Inf (the same on every backend, forward and backward): query `i` depends only on `q[i]` and on
 * its *allowed* keys `A_i` (`j <= Tk - Tq + i` and `keyMask[b, j] != 0`), so a non-finite value reaches
 * exactly the outputs that depend on it. Hidden keys (causally or by the mask) do not enter the softmax
 * or the products at all, as in PyTorch's fused SDPA kernels: a NaN in `k[j]` or `v[j]` makes NaN the
 * rows that may attend `j` and no other row, and a NaN in `q[i]` (or in `dy[i]`) makes NaN row `i` and
 * the `dk`/`dv` rows of `A_i` only. Within a row the softmax is PyTorch's over the allowed scores `s`: a
 * NaN or `+Inf` score, or all scores `-Inf`, makes the whole row NaN; a `-Inf` score gets probability
 * 0. A query without an allowed key outputs zeros whatever its inputs hold. (PyTorch's dense "math" path,
 * which adds a `-inf` bias and multiplies hidden probabilities by `v`, also spreads NaN from hidden keys;
 * this op does not.) Empty sizes (`B`, `Hq`, `Tq` or `Tk` = 0) give empty results (and zero gradients).
 *
 * @param q - float32 `[B, Hq, Tq, Dh]`
 * @param k - float32 `[B, Hkv, Tk, Dh]`
 * @param v - float32 `[B, Hkv, Tk, Dh]`
 * @param options - see {@link CausalAttentionOptions}
 * @returns float32 `[B, Hq, Tq, Dh]`
 * @throws `KernelInputError` (`op` 'causalAttention', `field` the argument) for a non-tensor, a
 *   wrong dtype or rank, mismatched sizes (batch, head dim, heads that do not divide, `Tk < Tq`, a mask of
 *   the wrong shape), a zero head dim or a bad scale.
 */
export function causalAttention(
  q: tf.Tensor4D | tf.Tensor,
  k: tf.Tensor4D | tf.Tensor,
  v: tf.Tensor4D | tf.Tensor,
  options: CausalAttentionOptions = {},
): tf.Tensor4D {
  const op = 'causalAttention';
  assertTensor(op, 'q', q);
  assertTensor(op, 'k', k);
  assertTensor(op, 'v', v);
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) {
    assertDtype(op, name, t, 'float32');
    if (t.rank !== 4) {
      const dims = name === 'q' ? '[B, Hq, Tq, Dh]' : `[B, Hkv, Tk, Dh]`;
      fail(op, name, `${name} must be ${dims}, got rank ${t.rank} (shape ${fmtShape(t.shape)})`);
    }
  }
  const [b, hq, tq, dh] = q.shape as [number, number, number, number];
  const [bk, hkv, tk, dhk] = k.shape as [number, number, number, number];
  if (!tf.util.arraysEqual(k.shape, v.shape)) {
    fail(op, 'v', `v has shape ${fmtShape(v.shape)}, which does not match k's ${fmtShape(k.shape)}`);
  }
  if (bk !== b) fail(op, 'k', `k has batch ${bk}, q has ${b} (q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)})`);
  if (dhk !== dh) {
    fail(op, 'k', `k has head dim ${dhk}, q has ${dh} (q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)})`);
  }
  if (hkv === 0 || hq % hkv !== 0) {
    fail(op, 'k', `k has ${hkv} heads, which does not divide q's ${hq} heads (q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)})`);
  }
  if (dh === 0) fail(op, 'q', `q has head dim 0 (q ${fmtShape(q.shape)}): attention needs Dh >= 1`);
  if (tk < tq) {
    fail(op, 'k', `k has ${tk} time steps, fewer than q's ${tq} (keys must cover the queries; q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)})`);
  }
  const scale = options.scale ?? 1 / Math.sqrt(dh);
  assertNumber(op, 'options.scale', scale);
  const attrs: AttentionAttrs = { scale };
  const keyMask = options.keyMask;
  if (keyMask !== undefined) {
    assertTensor(op, 'options.keyMask', keyMask);
    assertDtype(op, 'options.keyMask', keyMask, 'float32', 'int32', 'bool');
    if (keyMask.rank !== 2 || keyMask.shape[0] !== b || keyMask.shape[1] !== tk) {
      fail(op, 'options.keyMask', `keyMask has shape ${fmtShape(keyMask.shape)}, expected [B, Tk] = [${b}, ${tk}] (k ${fmtShape(k.shape)})`);
    }
  }
  ensureKernels();
  if (keyMask === undefined) {
    return tf.engine().runKernel(CausalAttention, { q, k, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  const mask = keyMask.dtype === 'float32' ? keyMask : tf.cast(keyMask, 'float32');
  try {
    return maskedAttention(q, k, v, mask, scale);
  } finally {
    if (mask !== keyMask) mask.dispose();
  }
}

/**
 * The masked call goes through `tf.customGrad`: the engine cannot save an optional named input for a
 * registered gradient, so this saves q, k, v and the mask itself and calls the backward kernel.
 */
function maskedAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, keyMask: tf.Tensor, scale: number): tf.Tensor4D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [qa, ka, va, ma] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const save = args[4] as tf.GradSaveFunc;
    save([qa, ka, va, ma]);
    const value = tf.engine().runKernel(CausalAttention, { q: qa, k: ka, v: va, keyMask: ma }, { scale }) as tf.Tensor;
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sq, sk, sv, sm] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const grads = causalAttentionBackward(Array.isArray(dy) ? dy[0]! : dy, sq, sk, sv, sm, scale);
        return [...grads, tf.zerosLike(sm)];
      },
    };
  });
  return f(q, k, v, keyMask) as tf.Tensor4D;
}
