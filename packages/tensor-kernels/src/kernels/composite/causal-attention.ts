/**
 * Composite kernels of {@link CausalAttention} and {@link CausalAttentionGrad} (see docs/guides/kernels.md).
 *
 * Grouped-query attention is computed without repeating k/v: q [B, Hq, Tq, Dh] is viewed as
 * [B, Hkv, G·Tq, Dh] (G = Hq/Hkv; the G query heads of kv head `h` are contiguous, HF order), so one
 * batched matmul against k [B, Hkv, Tk, Dh] gives every score. Hidden (causal or masked) scores are
 * replaced (`where`, not an additive bias: NaN + bias stays NaN) and hidden probabilities are exactly 0,
 * so a row without an allowed key is all 0. The products with P and dS skip hidden pairs even for
 * non-finite operands ({@link allowedMatMul}), so NaN reaches exactly the outputs that depend on it
 * (the contract of `causalAttention`).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, CausalAttentionGrad } from '../names';
import { type CompositeKernel, numAttr, optionalInput, tensorInputs } from './common';

/**
 * Causal allowance `[G·Tq, Tk]` as bool: row `g·Tq + i` may see key `j` iff `j <= Tk - Tq + i`. Built on
 * the CPU (it only depends on the sizes) and uploaded as one small tensor.
 */
function causalAllowed(g: number, tq: number, tk: number): tf.Tensor2D {
  const data = new Uint8Array(g * tq * tk);
  for (let r = 0; r < g * tq; r++) {
    const p = tk - tq + (r % tq);
    const last = Math.min(p, tk - 1);
    data.fill(1, r * tk, r * tk + last + 1);
  }
  return tf.tensor2d(data, [g * tq, tk], 'bool');
}

/** Which (row, key) pairs may attend, `[B or 1, 1, G·Tq, Tk]` bool (causal and key mask). */
function allowedPairs(g: number, tq: number, tk: number, b: number, keyMask: tf.Tensor | undefined): tf.Tensor4D {
  const causal = tf.reshape(causalAllowed(g, tq, tk), [1, 1, g * tq, tk]);
  if (keyMask === undefined) return causal as tf.Tensor4D;
  const keyOk = tf.reshape(tf.notEqual(keyMask, tf.scalar(0, keyMask.dtype)), [b, 1, 1, tk]);
  return tf.logicalAnd(causal, keyOk) as tf.Tensor4D;
}

/**
 * Softmax probabilities `P` [B, Hkv, G·Tq, Tk] over the allowed keys only (exactly 0 elsewhere, so a
 * non-finite hidden score never enters; PyTorch's softmax over the allowed scores: a NaN or +inf, or all
 * -inf, make the row NaN), and the grouped view of q. Call inside `tf.tidy`.
 */
function probabilities(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  allowed: tf.Tensor4D,
  scale: number,
): { p: tf.Tensor4D; qg: tf.Tensor4D } {
  const [b, hq, tq, dh] = q.shape;
  const [, hkv] = k.shape;
  const g = hq / hkv;
  const qg = tf.reshape(q, [b, hkv, g * tq, dh]) as tf.Tensor4D;
  const scores = tf.mul(tf.matMul(qg, k, false, true), tf.scalar(scale)); // [B, Hkv, G·Tq, Tk]
  const s = tf.where(allowed, scores, tf.scalar(-Infinity));
  const m = tf.max(s, -1, true);
  // hidden keys: exactly 0, whatever the row max (NaN, ±inf) is; a row without an allowed key: all 0
  const e = tf.where(allowed, tf.exp(tf.sub(s, m)), tf.zerosLike(s));
  const p = tf.where(allowed, tf.div(e, tf.sum(e, -1, true)), tf.zerosLike(e)) as tf.Tensor4D;
  return { p, qg };
}

/** Whether `t` holds a NaN or ±Inf (one reduction and a read of one value). */
function hasNonFinite(t: tf.Tensor): boolean {
  return tf.tidy(() => tf.any(tf.logicalNot(tf.isFinite(t))).dataSync()[0] !== 0);
}

/**
 * `Σ_j a[r, j] · b[j, :]` over the allowed pairs only (`a` is exactly 0 at the others), batched over the
 * leading axes, with `transposeA` for `Σ_r a[r, j] · b[r, :]`. A plain matmul would turn a non-finite
 * `b` row behind a hidden pair into NaN (0 · NaN); when `b` holds non-finite values, the product runs on
 * `b` with them set to 0 and their IEEE contributions (NaN, ±Inf by the sign of `a`, NaN for 0 · Inf) are
 * added from counts over the allowed pairs.
 */
function allowedMatMul(a: tf.Tensor4D, b: tf.Tensor4D, allowed: tf.Tensor4D, transposeA: boolean): tf.Tensor4D {
  if (!hasNonFinite(b)) return tf.matMul(a, b, transposeA, false);
  const finite = tf.isFinite(b);
  const c = tf.matMul(a, tf.where(finite, b, tf.zerosLike(b)), transposeA, false);
  const ok = tf.broadcastTo(allowed, a.shape);
  const f = (x: tf.Tensor) => tf.cast(x, 'float32') as tf.Tensor4D;
  const pos = tf.logicalAnd(ok, tf.greater(a, 0));
  const neg = tf.logicalAnd(ok, tf.less(a, 0));
  const zeroOrNan = tf.logicalAnd(ok, tf.logicalNot(tf.logicalOr(tf.greater(a, 0), tf.less(a, 0))));
  const isNan = f(tf.isNaN(b));
  const posInf = f(tf.equal(b, tf.scalar(Infinity)));
  const negInf = f(tf.equal(b, tf.scalar(-Infinity)));
  const mm = (x: tf.Tensor, y: tf.Tensor4D) => tf.matMul(f(x), y, transposeA, false);
  const zero = tf.scalar(0);
  const nanHit = tf.greater(tf.add(mm(ok, isNan), mm(zeroOrNan, tf.add(posInf, negInf))), zero);
  const posHit = tf.greater(tf.add(mm(pos, posInf), mm(neg, negInf)), zero);
  const negHit = tf.greater(tf.add(mm(pos, negInf), mm(neg, posInf)), zero);
  const special = tf.addN([
    tf.where(nanHit, tf.scalar(NaN), zero),
    tf.where(posHit, tf.scalar(Infinity), zero),
    tf.where(negHit, tf.scalar(-Infinity), zero),
  ]);
  return tf.add(c, special) as tf.Tensor4D;
}

/** Forward: `softmax_j(scale q·k_j over allowed j) · v`, zero for rows without an allowed key. */
export const causalAttentionComposite: CompositeKernel = {
  kernelName: CausalAttention,
  kernelFunc: ({ inputs, attrs }) => {
    const { q, k, v } = tensorInputs(CausalAttention, inputs, ['q', 'k', 'v'] as const);
    const keyMask = optionalInput(CausalAttention, inputs, 'keyMask');
    const scale = numAttr(CausalAttention, attrs, 'scale');
    if (q.size === 0 || k.size === 0) return tf.zeros(q.shape);
    return tf.tidy(() => {
      const [b, hq, tq] = q.shape as [number, number, number, number];
      const [, hkv, tk] = k.shape as [number, number, number, number];
      const allowed = allowedPairs(hq / hkv, tq, tk, b, keyMask);
      const { p } = probabilities(q as tf.Tensor4D, k as tf.Tensor4D, allowed, scale);
      return tf.reshape(allowedMatMul(p, v as tf.Tensor4D, allowed, false), q.shape);
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
    if (q.size === 0 || k.size === 0) return [tf.zeros(q.shape), tf.zeros(k.shape), tf.zeros(v.shape)];
    return tf.tidy(() => {
      const [b, hq, tq] = q.shape as [number, number, number, number];
      const [, hkv, tk] = k.shape as [number, number, number, number];
      const allowed = allowedPairs(hq / hkv, tq, tk, b, keyMask);
      const { p, qg } = probabilities(q as tf.Tensor4D, k as tf.Tensor4D, allowed, scale);
      const dyg = tf.reshape(dy, qg.shape) as tf.Tensor4D;
      const dv = allowedMatMul(p, dyg, allowed, true); // [B, Hkv, Tk, Dh]
      const dp = tf.matMul(dyg, v as tf.Tensor4D, false, true); // [B, Hkv, G·Tq, Tk]; hidden entries are never used
      const pdp = tf.where(allowed, tf.mul(dp, p), tf.zerosLike(p));
      const ds = tf.where(allowed, tf.mul(p, tf.sub(dp, tf.sum(pdp, -1, true))), tf.zerosLike(p)) as tf.Tensor4D;
      const sc = tf.scalar(scale);
      const dq = tf.reshape(tf.mul(allowedMatMul(ds, k as tf.Tensor4D, allowed, false), sc), q.shape);
      const dk = tf.mul(allowedMatMul(ds, qg, allowed, true), sc);
      return [dq, dk, dv];
    });
  },
};

/** The composite kernels of this file. */
export const causalAttentionComposites: CompositeKernel[] = [causalAttentionComposite, causalAttentionGradComposite];
