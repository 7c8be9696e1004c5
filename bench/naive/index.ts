/**
 * The textbook tfjs compositions of the fused ops, used as the baselines of `pnpm bench kernels`.
 *
 * Each is written the way one would write the op with stock tfjs-core ops and no custom kernel (the way
 * Hugging Face Llama writes it in PyTorch): attention materialises the `[B, H, Tq, Tk]` score matrix,
 * cross-entropy and token log-probabilities build a one-hot, GQA repeats the key/value heads. Gradients
 * come from tfjs' own gradient of every op (tf.grads), so the backward pass is tfjs autodiff.
 */
import * as tf from '@tensorflow/tfjs-core';

/** `x * rsqrt(mean(x², -1) + eps) * weight` (Llama RMSNorm). */
export function naiveRmsNorm(x: tf.Tensor, weight: tf.Tensor, eps = 1e-6): tf.Tensor {
  return tf.tidy(() => {
    const variance = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), weight);
  });
}

/**
 * RoPE tables from positions, textbook: `inv_freq = 1 / theta^(2i/Dh)`, angles = outer(positions, inv_freq),
 * then cos and sin, each `[1, T, Dh/2]`.
 */
export function naiveRopeTables(positions: tf.Tensor1D, headDim: number, theta = 10000): { cos: tf.Tensor; sin: tf.Tensor } {
  return tf.tidy(() => {
    const exponents = tf.div(tf.range(0, headDim, 2, 'float32'), headDim);
    const invFreq = tf.div(1, tf.pow(tf.scalar(theta), exponents));
    const angles = tf.mul(tf.expandDims(tf.cast(positions, 'float32'), 1), tf.expandDims(invFreq, 0));
    const a3 = tf.expandDims(angles, 0);
    return { cos: tf.cos(a3), sin: tf.sin(a3) };
  });
}

/**
 * Hugging Face `apply_rotary_pos_emb`: `x * cos + rotate_half(x) * sin`, with `cos/sin` `[Bc, T, Dh/2]`
 * concatenated to `Dh` and broadcast over heads, `rotate_half(x) = concat(-x2, x1)`.
 */
export function naiveRope(x: tf.Tensor4D, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const h = x.shape[3] / 2;
    const cosF = tf.expandDims(tf.concat([cos, cos], -1), 1);
    const sinF = tf.expandDims(tf.concat([sin, sin], -1), 1);
    const [x1, x2] = tf.split(x, [h, h], 3);
    const rotated = tf.concat([tf.neg(x2!), x1!], 3);
    return tf.add(tf.mul(x, cosF), tf.mul(rotated, sinF));
  });
}

/**
 * HF `repeat_kv`: `[B, Hkv, T, Dh]` to `[B, Hkv * groups, T, Dh]`, each kv head repeated `groups` times in
 * place (`x[:, :, None].expand(B, Hkv, groups, T, Dh).reshape(B, Hq, T, Dh)`). tfjs has no gradient for
 * a rank-5 tile (which tf.broadcastTo uses), so `T` and `Dh` are merged first: a rank-4 tile.
 */
export function repeatKv(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  if (groups === 1) return x;
  return tf.tidy(() => {
    const [b, hkv, t, dh] = x.shape;
    const tiled = tf.tile(tf.reshape(x, [b, hkv, 1, t * dh]), [1, 1, groups, 1]);
    return tf.reshape(tiled, [b, hkv * groups, t, dh]);
  });
}

/**
 * Additive causal mask `[Tq, Tk]`: 0 where query `i` (at absolute position `Tk - Tq + i`) may see key `j`,
 * -1e9 elsewhere.
 */
export function causalMaskBias(tq: number, tk: number): tf.Tensor2D {
  return tf.tidy(() => {
    const allowed = tf.linalg.bandPart(tf.ones([tq, tk]), -1, tk - tq);
    return tf.mul(tf.sub(1, allowed), -1e9) as tf.Tensor2D;
  });
}

/**
 * Eager attention: `softmax(q kᵀ * scale + causal bias) v`, with `matMul(q, k, false, true)`, GQA by
 * repeating the key/value heads, and the `[B, H, Tq, Tk]` scores materialised.
 */
export function naiveCausalAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, scale?: number): tf.Tensor {
  return tf.tidy(() => {
    const [, hq, tq, dh] = q.shape;
    const [, hkv, tk] = k.shape;
    const s = scale ?? 1 / Math.sqrt(dh);
    const kr = repeatKv(k, hq / hkv);
    const vr = repeatKv(v, hq / hkv);
    const scores = tf.add(tf.mul(tf.matMul(q, kr, false, true), s), causalMaskBias(tq, tk));
    return tf.matMul(tf.softmax(scores), vr);
  });
}

/** `silu(gate) * up` with `silu(g) = g * sigmoid(g)`. */
export function naiveSwiglu(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(gate, tf.sigmoid(gate)), up));
}

/** Mean cross-entropy: `-sum(oneHot(labels) * logSoftmax(logits)) / N` (every label valid). */
export function naiveCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const [n, vocab] = logits.shape;
    const oneHot = tf.oneHot(labels, vocab);
    const picked = tf.sum(tf.mul(tf.logSoftmax(logits), oneHot));
    return tf.div(tf.neg(picked), n) as tf.Scalar;
  });
}

/** `logSoftmax(logits)[n, ids[n]]` as `sum(logSoftmax(logits) * oneHot(ids), -1)`. */
export function naiveTokenLogProbs(logits: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(ids, logits.shape[1]);
    return tf.sum(tf.mul(tf.logSoftmax(logits), oneHot), -1) as tf.Tensor1D;
  });
}

/** Hyper-parameters of {@link naiveAdamW} (torch.optim.AdamW semantics). */
export interface NaiveAdamWOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step. */
  step: number;
}

/**
 * One AdamW step as separate tfjs ops (the way `tf.train.adam` plus decoupled weight decay computes it):
 * returns `[param', m', v']`.
 */
export function naiveAdamW(param: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: NaiveAdamWOptions): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const decayed = tf.mul(param, 1 - o.lr * o.weightDecay);
    const m2 = tf.add(tf.mul(m, o.beta1), tf.mul(grad, 1 - o.beta1));
    const v2 = tf.add(tf.mul(v, o.beta2), tf.mul(tf.square(grad), 1 - o.beta2));
    const mHat = tf.div(m2, 1 - o.beta1 ** o.step);
    const vHat = tf.div(v2, 1 - o.beta2 ** o.step);
    const p2 = tf.sub(decayed, tf.div(tf.mul(mHat, o.lr), tf.add(tf.sqrt(vHat), o.eps)));
    return [p2, m2, v2] as [tf.Tensor, tf.Tensor, tf.Tensor];
  });
}
