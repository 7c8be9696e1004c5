/**
 * Straightforward tfjs compositions of the fused ops, used as references by the op tests (test/ops) and
 * the backend kernel tests (test/kernels), plus the pieces the kernel tests share: plain input specs, running
 * a reference on the cpu backend, and the causal-attention cases' data.
 *
 * The references are written from the definitions with ordinary tfjs ops, so their autodiff gradients are
 * references too (see {@link vjp}). The cpu backend must be registered by the caller.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { AdamWAttrs } from '../../src/kernels/names';
import { randnArray } from './random';

/** Gradients of `Σ f(xs) * dy` with respect to every x (a vector-Jacobian product). */
export function vjp(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  return tf.grads((...args: tf.Tensor[]) => f(...args))(xs, dy);
}

/** `x * rsqrt(mean(x², -1) + eps) * w`. */
export function naiveRmsNorm(x: tf.Tensor, w: tf.Tensor, eps: number): tf.Tensor {
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), w);
}

/**
 * Rotary embedding of `x` `[B, H, T, Dh]` with given tables `cos`, `sin` `[Bc, T, Dh/2]` (rotate-half
 * layout: the first and second halves of the head dimension are the pairs).
 */
export function naiveRope(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor {
  const [B, H, T, Dh] = x.shape as number[];
  const h = Dh! / 2;
  const x1 = tf.slice(x, [0, 0, 0, 0], [B!, H!, T!, h]);
  const x2 = tf.slice(x, [0, 0, 0, h], [B!, H!, T!, h]);
  const c = tf.expandDims(cos, 1);
  const s = tf.expandDims(sin, 1);
  return tf.concat([tf.sub(tf.mul(x1, c), tf.mul(x2, s)), tf.add(tf.mul(x2, c), tf.mul(x1, s))], -1);
}

/** `silu(gate) * up`. */
export function naiveSwiglu(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(gate, tf.sigmoid(gate)), up);
}

/** Mean one-hot cross-entropy of `logits` `[N, V]` over the rows whose int32 label is not `ignoreIndex` (0 if none). */
export function naiveCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, ignoreIndex: number): tf.Tensor {
  const keepB = tf.notEqual(labels, ignoreIndex);
  const keep = tf.cast(keepB, 'float32');
  const safe = tf.where(keepB, labels, tf.zerosLike(labels));
  const oh = tf.oneHot(tf.cast(safe, 'int32'), logits.shape[1]!);
  const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oh), -1));
  return tf.div(tf.sum(tf.mul(nll, keep)), tf.maximum(tf.sum(keep), 1));
}

/** `Σ_v onehot(ids)[v] · log_softmax(logits)[v]` over the last axis. */
export function naiveTokenLogProbs(logits: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  return tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(ids, logits.shape[logits.rank - 1]!)), -1);
}

/** torch.optim.AdamW's update (denominator `sqrt(v' / bc2) + eps`); returns `[param', m', v']`. */
export function naiveAdamW(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: AdamWAttrs): tf.Tensor[] {
  const m2 = tf.add(tf.mul(o.beta1, m), tf.mul(1 - o.beta1, g));
  const v2 = tf.add(tf.mul(o.beta2, v), tf.mul(1 - o.beta2, tf.square(g)));
  const mhat = tf.div(m2, 1 - o.beta1 ** o.step);
  const vhat = tf.div(v2, 1 - o.beta2 ** o.step);
  const p2 = tf.sub(tf.mul(p, 1 - o.lr * o.weightDecay), tf.mul(o.lr, tf.div(mhat, tf.add(tf.sqrt(vhat), o.eps))));
  return [p2, m2, v2];
}

/**
 * Naive causal attention of `q` `[B, Hq, Tq, Dh]` over `k`, `v` `[B, Hkv, Tk, Dh]`: GQA by repeating the
 * k/v heads, query i sees keys `j <= Tk - Tq + i` that `mask` (flat `[B, Tk]`, 0 = masked) allows, through
 * a -1e9 bias on the scaled scores; rows without an allowed key are zeroed.
 */
export function naiveCausalAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask: Float32Array | null,
  scale: number,
): tf.Tensor {
  const [B, Hq, Tq] = q.shape as number[];
  const [, Hkv, Tk] = k.shape as number[];
  const G = Hq! / Hkv!;
  const allowed = new Float32Array(B! * Tq! * Tk!);
  const any = new Float32Array(B! * Tq!);
  for (let b = 0; b < B!; b++)
    for (let i = 0; i < Tq!; i++)
      for (let j = 0; j < Tk!; j++) {
        if (j <= Tk! - Tq! + i && (!mask || mask[b * Tk! + j] !== 0)) {
          allowed[(b * Tq! + i) * Tk! + j] = 1;
          any[b * Tq! + i] = 1;
        }
      }
  const heads = tf.tensor1d(
    Array.from({ length: Hq! }, (_, h) => Math.floor(h / G)),
    'int32',
  );
  const rep = (x: tf.Tensor) => tf.gather(x, heads, 1);
  const bias = tf.reshape(tf.mul(tf.sub(1, tf.tensor(allowed)), -1e9), [B!, 1, Tq!, Tk!]);
  const s = tf.add(tf.mul(tf.matMul(q, rep(k), false, true), scale), bias);
  const p = tf.mul(tf.softmax(s), tf.reshape(tf.tensor(any), [B!, 1, Tq!, 1]));
  return tf.matMul(p, rep(v));
}

/** A kernel input as plain data: the tensor is made on whichever backend is active when it is needed. */
export interface Spec {
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A float32 {@link Spec}. */
export const f32 = (shape: number[], data: Float32Array): Spec => ({ shape, data });

/** An int32 {@link Spec}. */
export const i32 = (shape: number[], data: Int32Array): Spec => ({ shape, data });

/** The tensor of a {@link Spec} on the active backend. */
export const specTensor = (s: Spec): tf.Tensor =>
  tf.tensor(s.data, s.shape, s.data instanceof Int32Array ? 'int32' : 'float32');

/** Runs a reference on the cpu backend with the tensors made from `inputs`; returns the results' data. */
export async function onCpu(
  inputs: Record<string, Spec>,
  fn: (t: Record<string, tf.Tensor>) => tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend('cpu');
  return tf.tidy(() => {
    const ts: Record<string, tf.Tensor> = {};
    for (const [k, s] of Object.entries(inputs)) ts[k] = specTensor(s);
    return fn(ts).map((t) => Float32Array.from(t.dataSync()));
  });
}

/** Seeded rope kernel inputs: `x` `[B, H, T, Dh]` (seed 4), tables `cos`, `sin` `[Bc, T, Dh/2]` (seeds 5, 6). */
export function ropeInputs(B: number, H: number, T: number, Dh: number, Bc: number): Record<'x' | 'cos' | 'sin', Spec> {
  const h = Dh / 2;
  return {
    x: f32([B, H, T, Dh], randnArray(B * H * T * Dh, 4)),
    cos: f32([Bc, T, h], randnArray(Bc * T * h, 5)),
    sin: f32([Bc, T, h], randnArray(Bc * T * h, 6)),
  };
}

/** `[loss, dlogits]` of {@link naiveCrossEntropy} on cpu for `logits`, `labels` and the scalar upstream gradient `dy`. */
export function crossEntropyReference(inputs: Record<'logits' | 'labels', Spec>, dy: Spec, ignoreIndex: number): Promise<Float32Array[]> {
  const naive = (logits: tf.Tensor, labels: tf.Tensor) => naiveCrossEntropy(logits, labels, ignoreIndex);
  return onCpu({ ...inputs, dy }, (t) => [
    naive(t.logits!, t.labels!),
    tf.mul(tf.grad((x: tf.Tensor) => naive(x, t.labels!))(t.logits!), t.dy!),
  ]);
}

/** `[logprobs, dlogits]` of {@link naiveTokenLogProbs} on cpu for `logits`, `ids` and the upstream gradient `dy`. */
export function tokenLogProbsReference(inputs: Record<'logits' | 'ids', Spec>, dy: Spec): Promise<Float32Array[]> {
  return onCpu({ ...inputs, dy }, (t) => [
    naiveTokenLogProbs(t.logits!, t.ids!),
    ...vjp((x) => naiveTokenLogProbs(x, t.ids!), [t.logits!], t.dy!),
  ]);
}

/** A causal-attention kernel test case. */
export interface AttentionCase {
  label: string;
  B: number;
  Hq: number;
  Hkv: number;
  Tq: number;
  Tk: number;
  Dh: number;
  /** The keyMask's values (flat `[B, Tk]`); no keyMask when absent. */
  mask?: (B: number, Tk: number) => Float32Array;
  /** The keyMask's dtype (default float32). */
  maskDtype?: 'float32' | 'int32';
}

/** The data of an {@link AttentionCase}: seeded q, k, v (and keyMask), upstream gradient, scale `1/√Dh`. */
export interface AttentionData {
  scale: number;
  maskData: Float32Array | null;
  inputs: Record<string, Spec>;
  dy: Spec;
}

/**
 * The keyMask of the cases with empty rows: batch 1's first 6 keys masked (with `Tk - Tq = 3` its
 * queries 0..2 see no key), and the flat `[B, Tk]` positions `extra`.
 */
export function emptyRowsMask(...extra: number[]): (B: number, Tk: number) => Float32Array {
  return (B, Tk) => {
    const m = new Float32Array(B * Tk).fill(1);
    for (let j = 0; j < 6; j++) m[Tk + j] = 0;
    for (const i of extra) m[i] = 0;
    return m;
  };
}

/** A decode step (one query) with a float keyMask that masks every third key. */
export const DECODE_STEP_CASE: AttentionCase = {
  label: 'decode step with float keyMask',
  B: 2,
  Hq: 2,
  Hkv: 1,
  Tq: 1,
  Tk: 11,
  Dh: 5,
  mask: (B, Tk) => Float32Array.from({ length: B * Tk }, (_, i) => (i % 3 === 1 ? 0 : 1)),
};

/** Makes the inputs of an {@link AttentionCase} (q, k, v, dy from seeds 20..23). */
export function attentionData(c: AttentionCase): AttentionData {
  const { B, Hq, Hkv, Tq, Tk, Dh } = c;
  const maskData = c.mask ? c.mask(B, Tk) : null;
  const inputs: Record<string, Spec> = {
    q: f32([B, Hq, Tq, Dh], randnArray(B * Hq * Tq * Dh, 20)),
    k: f32([B, Hkv, Tk, Dh], randnArray(B * Hkv * Tk * Dh, 21)),
    v: f32([B, Hkv, Tk, Dh], randnArray(B * Hkv * Tk * Dh, 22)),
  };
  if (maskData) {
    inputs.keyMask = c.maskDtype === 'int32' ? i32([B, Tk], Int32Array.from(maskData)) : f32([B, Tk], maskData);
  }
  const dy = f32([B, Hq, Tq, Dh], randnArray(B * Hq * Tq * Dh, 23));
  return { scale: 1 / Math.sqrt(Dh), maskData, inputs, dy };
}

/** `[out, dq, dk, dv]` of {@link naiveCausalAttention} on cpu for the data of a case. */
export function attentionReference(d: AttentionData): Promise<Float32Array[]> {
  return onCpu({ ...d.inputs, dy: d.dy }, (t) => {
    const f = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => naiveCausalAttention(q, k, v, d.maskData, d.scale);
    return [f(t.q!, t.k!, t.v!), ...vjp(f, [t.q!, t.k!, t.v!], t.dy!)];
  });
}

/** Asserts that query 0 of batch 1 (no allowed key in the cases with empty rows) has exactly zero output and dq. */
export function expectEmptyRowZero(c: AttentionCase, o: ArrayLike<number>, dq: ArrayLike<number>): void {
  const { Hq, Tq, Dh } = c;
  for (let h = 0; h < Hq; h++) {
    const base = ((1 * Hq + h) * Tq + 0) * Dh;
    for (let d = 0; d < Dh; d++) {
      expect(o[base + d]).toBe(0);
      expect(dq[base + d]).toBe(0);
    }
  }
}
