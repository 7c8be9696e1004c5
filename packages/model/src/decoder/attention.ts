/**
 * Grouped-query self-attention with rotary positions and a key/value cache.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { causalAttention, rope } from '@quarkmed/tensor-kernels';
import type { KVCache } from './kv-cache';
import type { Linear, LinearContext } from './linear';

/** The four projections of one attention layer (`[in, out]` weights). */
export interface AttentionProjections {
  q: Linear;
  k: Linear;
  v: Linear;
  o: Linear;
}

/** Shapes, positions and cache of one {@link selfAttention} call. */
export interface AttentionArgs {
  batch: number;
  seq: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  ropeTheta: number;
  /** Explicit int32 positions `[B, T]` or `[T]`; otherwise `offset + t`. */
  positions?: tf.Tensor;
  /** Position of the first new token when `positions` is not given (the cache length). */
  offset: number;
  /** `[B, Tpast + T]` key padding mask (1 keep, 0 padding). */
  keyMask?: tf.Tensor;
  /** Appended to in place (layer `layer`); the attention then covers the cached prefix. */
  cache?: KVCache;
  layer: number;
  ctx: LinearContext;
}

/** `[B*T, H*Dh]` → `[B, H, T, Dh]`. */
export function splitHeads(x: tf.Tensor2D, batch: number, seq: number, heads: number, headDim: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(x, [batch, seq, heads, headDim]), [0, 2, 1, 3]);
}

/** `[B, H, T, Dh]` → `[B*T, H*Dh]`. */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor2D {
  const [b, h, t, d] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b * t, h * d]);
}

/**
 * Llama self-attention on `x` `[B*T, hidden]` (already normalised): q/k/v projections, RoPE on q and k,
 * append k/v to the cache, causal GQA attention over the cached prefix and the new tokens (with the key
 * padding mask), output projection. Returns `[B*T, hidden]`.
 */
export function selfAttention(x: tf.Tensor2D, proj: AttentionProjections, a: AttentionArgs): tf.Tensor2D {
  const { batch: b, seq: t, headDim: dh } = a;
  const ropeOptions = a.positions !== undefined ? { positions: a.positions, theta: a.ropeTheta } : { offset: a.offset, theta: a.ropeTheta };
  const q = rope(splitHeads(proj.q.apply(x, a.ctx), b, t, a.numHeads, dh), ropeOptions);
  let k = rope(splitHeads(proj.k.apply(x, a.ctx), b, t, a.numKvHeads, dh), ropeOptions);
  let v = splitHeads(proj.v.apply(x, a.ctx), b, t, a.numKvHeads, dh);
  if (a.cache !== undefined) {
    const full = a.cache.append(a.layer, k, v);
    k = full.k;
    v = full.v;
  }
  const y = causalAttention(q, k, v, a.keyMask !== undefined ? { keyMask: a.keyMask } : {});
  return proj.o.apply(mergeHeads(y), a.ctx);
}
