/**
 * Grouped-query self-attention with rotary positions and a key/value cache.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { causalAttention, rmsNorm, rope } from '@quarkmed/tensor-kernels';
import type { KVCache } from './kv-cache';
import type { Linear, LinearContext } from './linear';

/** The four projections of one attention layer (`[in, out]` weights, optional biases). */
export interface AttentionProjections {
  q: Linear;
  k: Linear;
  v: Linear;
  o: Linear;
  /** Qwen3: per-head RMSNorm weights `[headDim]` of q and k, applied before RoPE. */
  qNorm?: tf.Variable;
  kNorm?: tf.Variable;
}

/**
 * The rotary frequencies of a call: `invFreq` (length `headDim / 2`; a float32 tensor when computed on a GPU
 * backend) and the cos/sin `attentionScaling`.
 */
export interface AttentionRope {
  invFreq: Float32Array | tf.Tensor1D;
  attentionScaling: number;
}

/** Shapes, positions and cache of one {@link selfAttention} call. */
export interface AttentionArgs {
  batch: number;
  seq: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  /** Rotary frequencies (after any rope scaling). */
  rope: AttentionRope;
  /**
   * The cos/sin tables of this call's positions, built once per forward pass and shared by every layer's q and k
   * (`rope`'s `tables`); when absent, each rope call builds them from `rope` and the positions.
   */
  ropeTables?: { cos: tf.Tensor3D; sin: tf.Tensor3D };
  /** RMSNorm epsilon of the q/k norms (Qwen3). */
  rmsNormEps: number;
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

/**
 * `[B*T, H*Dh]` → `[B, H, T, Dh]`. With `T = 1` (a decode step) the transpose moves no data and is a
 * reshape (one kernel less per call).
 */
export function splitHeads(x: tf.Tensor2D, batch: number, seq: number, heads: number, headDim: number): tf.Tensor4D {
  if (seq === 1) return tf.reshape(x, [batch, heads, 1, headDim]);
  return tf.transpose(tf.reshape(x, [batch, seq, heads, headDim]), [0, 2, 1, 3]);
}

/** `[B, H, T, Dh]` → `[B*T, H*Dh]` (a reshape when `T = 1`, see {@link splitHeads}). */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor2D {
  const [b, h, t, d] = x.shape;
  if (t === 1) return tf.reshape(x, [b, h * d]);
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b * t, h * d]);
}

/** `[B*T, H*Dh]` → `[B, H, T, Dh]`, with the per-head RMSNorm `norm` `[Dh]` applied first when given. */
function heads(x: tf.Tensor2D, b: number, t: number, h: number, dh: number, norm: tf.Variable | undefined, eps: number): tf.Tensor4D {
  if (norm === undefined) return splitHeads(x, b, t, h, dh);
  const normed = rmsNorm(tf.reshape(x, [b * t * h, dh]), norm, eps) as tf.Tensor2D;
  return splitHeads(tf.reshape(normed, [b * t, h * dh]), b, t, h, dh);
}

/**
 * Llama/Qwen self-attention on `x` `[B*T, hidden]` (already normalised): q/k/v projections (with their
 * biases when present), the Qwen3 per-head q/k RMSNorm, RoPE on q and k (the given frequencies and cos/sin
 * scaling), append k/v to the cache, causal GQA attention over the cached prefix and the new tokens (with
 * the key padding mask), output projection. Returns `[B*T, hidden]`.
 */
export function selfAttention(x: tf.Tensor2D, proj: AttentionProjections, a: AttentionArgs): tf.Tensor2D {
  const { batch: b, seq: t, headDim: dh } = a;
  const freq = { invFreq: a.rope.invFreq, attentionScaling: a.rope.attentionScaling };
  const ropeOptions =
    a.ropeTables !== undefined ? { tables: a.ropeTables } : a.positions !== undefined ? { positions: a.positions, ...freq } : { offset: a.offset, ...freq };
  const q = rope(heads(proj.q.apply(x, a.ctx), b, t, a.numHeads, dh, proj.qNorm, a.rmsNormEps), ropeOptions);
  let k = rope(heads(proj.k.apply(x, a.ctx), b, t, a.numKvHeads, dh, proj.kNorm, a.rmsNormEps), ropeOptions);
  let v = splitHeads(proj.v.apply(x, a.ctx), b, t, a.numKvHeads, dh);
  if (a.cache !== undefined) {
    const full = a.cache.append(a.layer, k, v);
    k = full.k;
    v = full.v;
  }
  const y = causalAttention(q, k, v, a.keyMask !== undefined ? { keyMask: a.keyMask } : {});
  return proj.o.apply(mergeHeads(y), a.ctx);
}
