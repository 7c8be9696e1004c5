import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { causalAttention } from '../../src/ops/causal-attention';
import { vjp } from '../helpers/reference';
import { expectClose, randn, useCpu } from './setup';
import { KernelInputError } from '../../src/kernels/kernel-input-error';

/**
 * Straightforward attention: k/v repeated per query head (HF repeat_kv), the allowed (query, key) pairs
 * listed in JS from the definition, and a softmax over the allowed keys only (rows without any: 0).
 */
function naiveAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale: number, keyMask?: number[][]): tf.Tensor {
  const [b, hq, tq] = q.shape as number[];
  const [, hkv, tk] = k.shape as number[];
  const group = hq! / hkv!;
  const heads = Array.from({ length: hq! }, (_, h) => Math.floor(h / group));
  const kr = tf.gather(k, heads, 1);
  const vr = tf.gather(v, heads, 1);
  const allowed = new Float32Array(b! * tq! * tk!);
  for (let bi = 0; bi < b!; bi++) {
    for (let i = 0; i < tq!; i++) {
      for (let j = 0; j < tk!; j++) {
        const ok = j <= tk! - tq! + i && (keyMask === undefined || keyMask[bi]![j] !== 0);
        allowed[(bi * tq! + i) * tk! + j] = ok ? 1 : 0;
      }
    }
  }
  const a = tf.tensor4d(allowed, [b!, 1, tq!, tk!]);
  const s = tf.mul(tf.matMul(q, kr, false, true), scale);
  const m = tf.max(tf.sub(s, tf.mul(tf.sub(1, a), 1e9)), -1, true);
  const e = tf.mul(tf.exp(tf.minimum(tf.sub(s, m), 0)), a); // min(., 0): masked entries of a fully masked row
  const p = tf.div(e, tf.add(tf.sum(e, -1, true), tf.sub(1, tf.max(a, -1, true)))); // +1 for empty rows
  return tf.matMul(p, vr);
}

beforeAll(useCpu);

describe('causalAttention', () => {
  const cases: { name: string; dims: [number, number, number, number, number, number]; scale?: number; mask?: number[][]; maskDtype?: tf.DataType }[] = [
    { name: 'MHA, Tq = Tk', dims: [2, 2, 2, 5, 5, 8] },
    { name: 'GQA 2:1 with a KV prefix (Tk > Tq)', dims: [2, 4, 2, 3, 7, 8] },
    { name: 'GQA 4:1, custom scale', dims: [1, 4, 1, 3, 6, 4], scale: 0.3 },
    { name: 'single-query decode', dims: [2, 4, 2, 1, 9, 8] },
    { name: 'key padding mask (float32)', dims: [2, 4, 2, 5, 7, 8], mask: [[1, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 1]] },
    // batch 1: keys 0..2 masked, query 0 sits at position 2 -> no allowed key -> zero row, zero gradient
    { name: 'fully masked row (int32 mask)', dims: [2, 2, 1, 5, 7, 8], mask: [[1, 0, 1, 1, 0, 1, 1], [0, 0, 0, 1, 1, 1, 1]], maskDtype: 'int32' },
    { name: 'bool mask', dims: [1, 2, 2, 4, 4, 4], mask: [[1, 0, 1, 1]], maskDtype: 'bool' },
  ];
  cases.forEach((c, i) => {
    it(`matches naive masked softmax attention and its gradients: ${c.name}`, () => {
      const [b, hq, hkv, tq, tk, dh] = c.dims;
      const q = randn([b, hq, tq, dh], 100 + i);
      const k = randn([b, hkv, tk, dh], 200 + i);
      const v = randn([b, hkv, tk, dh], 300 + i);
      const dy = randn([b, hq, tq, dh], 400 + i);
      const scale = c.scale ?? 1 / Math.sqrt(dh);
      const keyMask = c.mask ? tf.tensor2d(c.mask, undefined, c.maskDtype ?? 'float32') : undefined;
      const opts = { ...(c.scale === undefined ? {} : { scale: c.scale }), ...(keyMask ? { keyMask } : {}) };
      const y = causalAttention(q, k, v, opts);
      expectClose(y, naiveAttention(q, k, v, scale, c.mask), 2e-5, 'y');
      const grads = vjp((a, bb, cc) => causalAttention(a!, bb!, cc!, opts), [q, k, v], dy);
      const refs = vjp((a, bb, cc) => naiveAttention(a!, bb!, cc!, scale, c.mask), [q, k, v], dy);
      ['dq', 'dk', 'dv'].forEach((n, j) => expectClose(grads[j]!, refs[j]!, 1e-4, n));
    });
  });

  it('outputs zeros (and zero gradients) for a query with no allowed key', () => {
    const q = randn([1, 1, 2, 4], 7);
    const k = randn([1, 1, 2, 4], 8);
    const v = randn([1, 1, 2, 4], 9);
    const keyMask = tf.tensor2d([[0, 1]]);
    const y = causalAttention(q, k, v, { keyMask }).arraySync() as number[][][][];
    expect(y[0]![0]![0]).toEqual([0, 0, 0, 0]);
    expect(y[0]![0]![1]).toEqual(Array.from(v.dataSync().slice(4, 8))); // query 1 sees only key 1
    const [dq] = tf.grads((a: tf.Tensor) => causalAttention(a, k, v, { keyMask }))([q], tf.ones([1, 1, 2, 4]));
    expect(Array.from(dq!.dataSync().slice(0, 4))).toEqual([0, 0, 0, 0]);
  });

  it('an all-ones keyMask equals no keyMask', () => {
    const q = randn([2, 2, 3, 4], 11);
    const k = randn([2, 1, 5, 4], 12);
    const v = randn([2, 1, 5, 4], 13);
    expectClose(causalAttention(q, k, v, { keyMask: tf.ones([2, 5]) }), causalAttention(q, k, v), 1e-6, 'y');
  });

  it('rejects bad arguments with typed, descriptive errors', () => {
    const q = tf.zeros([1, 8, 4, 16]);
    const k = tf.zeros([1, 3, 4, 16]);
    expect(() => causalAttention(q, k, k)).toThrow(KernelInputError);
    expect(() => causalAttention(q, k, k)).toThrow("causalAttention: k has 3 heads, which does not divide q's 8 heads");
    const k2 = tf.zeros([1, 2, 4, 16]);
    expect(() => causalAttention(tf.zeros([8, 4, 16]), k2, k2)).toThrow(KernelInputError);
    expect(() => causalAttention(tf.zeros([8, 4, 16]), k2, k2)).toThrow(/q must be \[B, Hq, Tq, Dh\], got rank 3/);
    expect(() => causalAttention(q, k2, tf.zeros([1, 2, 5, 16]))).toThrow(/v has shape \[1, 2, 5, 16\], which does not match k's \[1, 2, 4, 16\]/);
    expect(() => causalAttention(q, tf.zeros([2, 2, 4, 16]), tf.zeros([2, 2, 4, 16]))).toThrow(/k has batch 2, q has 1/);
    expect(() => causalAttention(q, tf.zeros([1, 2, 4, 8]), tf.zeros([1, 2, 4, 8]))).toThrow(/k has head dim 8, q has 16/);
    expect(() => causalAttention(q, tf.zeros([1, 2, 3, 16]), tf.zeros([1, 2, 3, 16]))).toThrow(/k has 3 time steps, fewer than q's 4/);
    expect(() => causalAttention(tf.zeros([1, 8, 4, 16], 'int32'), k2, k2)).toThrow(/q must be float32, got int32/);
    expect(() => causalAttention(q, k2, k2, { keyMask: tf.ones([1, 5]) })).toThrow(/keyMask has shape \[1, 5\], expected \[B, Tk\] = \[1, 4\]/);
    expect(() => causalAttention(q, k2, k2, { keyMask: tf.tensor2d([['a', 'b', 'c', 'd']]) })).toThrow(KernelInputError);
    expect(() => causalAttention(q, k2, k2, { scale: Number.POSITIVE_INFINITY })).toThrow(/scale must be finite/);
  });
});
