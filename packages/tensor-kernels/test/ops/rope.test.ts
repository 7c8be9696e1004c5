import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { rope, ropeTables } from '../../src/ops/rope';
import { KernelInputError } from '../../src/kernels/kernel-input-error';
import { vjp } from '../helpers/reference';
import { expectClose, randn, useCpu } from './setup';

/** HF-style tables with float32 tfjs ops: inv_freq = 1 / theta^(arange(0, Dh, 2) / Dh). */
function naiveTables(positions: number[][], dh: number, theta: number): { cos: tf.Tensor; sin: tf.Tensor } {
  const invFreq = tf.div(1, tf.pow(tf.scalar(theta), tf.div(tf.range(0, dh, 2, 'float32'), dh)));
  const ang = tf.mul(tf.expandDims(tf.tensor2d(positions, undefined, 'float32'), -1), invFreq); // [Bc, T, h]
  return { cos: tf.cos(ang), sin: tf.sin(ang) };
}

/** `x * cat(cos, cos) + rotate_half(x) * cat(sin, sin)`, Hugging Face `apply_rotary_pos_emb`. */
function naiveRope(x: tf.Tensor, positions: number[][], theta = 10000): tf.Tensor {
  const dh = x.shape[3]!;
  const { cos, sin } = naiveTables(positions, dh, theta);
  const c = tf.expandDims(tf.concat([cos, cos], -1), 1);
  const s = tf.expandDims(tf.concat([sin, sin], -1), 1);
  const [x1, x2] = tf.split(x, 2, -1);
  const rot = tf.concat([tf.neg(x2!), x1!], -1);
  return tf.add(tf.mul(x, c), tf.mul(rot, s));
}

const arange = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

beforeAll(useCpu);

describe('rope', () => {
  const cases: { name: string; shape: [number, number, number, number]; opts: () => Parameters<typeof rope>[1]; pos: number[][]; theta?: number }[] = [
    { name: 'offset 0 (default)', shape: [2, 3, 5, 8], opts: () => ({}), pos: [arange(5)] },
    { name: 'offset 7, theta 500000', shape: [1, 2, 4, 16], opts: () => ({ offset: 7, theta: 500000 }), pos: [arange(4, 7)], theta: 500000 },
    { name: 'positions [T]', shape: [2, 2, 6, 8], opts: () => ({ positions: tf.tensor1d([3, 4, 5, 9, 10, 11], 'int32') }), pos: [[3, 4, 5, 9, 10, 11]] },
    {
      name: 'per-row positions [B, T] (left padding)',
      shape: [2, 2, 5, 8],
      opts: () => ({ positions: tf.tensor2d([[0, 1, 2, 3, 4], [0, 0, 0, 1, 2]], undefined, 'int32') }),
      pos: [[0, 1, 2, 3, 4], [0, 0, 0, 1, 2]],
    },
    { name: 'positions [1, T]', shape: [2, 1, 3, 4], opts: () => ({ positions: tf.tensor2d([[5, 6, 9]], undefined, 'int32') }), pos: [[5, 6, 9]] },
  ];
  cases.forEach((c, i) => {
    it(`matches HF apply_rotary_pos_emb and its gradient: ${c.name}`, () => {
      const x = randn(c.shape, 10 + i);
      const dy = randn(c.shape, 20 + i);
      const opts = c.opts();
      expectClose(rope(x, opts), naiveRope(x, c.pos, c.theta), 2e-5, 'y');
      const [gx] = vjp((a) => rope(a!, opts), [x], dy);
      const [rx] = vjp((a) => naiveRope(a!, c.pos, c.theta), [x], dy);
      expectClose(gx!, rx!, 2e-5, 'dx');
    });
  });

  it('offset equals the same explicit positions', () => {
    const x = randn([1, 2, 3, 8], 31);
    expectClose(rope(x, { offset: 12 }), rope(x, { positions: tf.tensor1d([12, 13, 14], 'int32') }), 0, 'y');
  });

  it('computes large-position tables in double precision', () => {
    // x1 = e_1 so y[1] = cos(p * inv_freq[1]) and y[5] = sin(p * inv_freq[1]); a float32 angle
    // (p * inv_freq ~ 1e4) would be off by up to ~5e-4
    const x = tf.tensor4d([0, 1, 0, 0, 0, 0, 0, 0], [1, 1, 1, 8]);
    const p = 100003;
    const y = rope(x, { offset: p }).dataSync();
    const inv1 = Math.fround(1 / Math.fround(10000 ** Math.fround(2 / 8)));
    expect(Math.abs(y[1]! - Math.cos(p * inv1))).toBeLessThan(1e-6);
    expect(Math.abs(y[5]! - Math.sin(p * inv1))).toBeLessThan(1e-6);
    expect([y[0], y[2], y[3], y[4], y[6], y[7]]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rejects bad arguments with typed, descriptive errors', () => {
    const x = tf.zeros([1, 2, 3, 8]);
    expect(() => rope(tf.zeros([2, 3, 8]))).toThrow(KernelInputError);
    expect(() => rope(tf.zeros([2, 3, 8]))).toThrow(/rope: x must be \[B, H, T, Dh\], got rank 3 \(shape \[2, 3, 8\]\)/);
    expect(() => rope(tf.zeros([1, 1, 2, 5]))).toThrow(KernelInputError);
    expect(() => rope(tf.zeros([1, 1, 2, 5]))).toThrow(/Dh = 5/);
    expect(() => rope(tf.zeros([1, 1, 2, 4], 'int32') as tf.Tensor4D)).toThrow(/x must be float32, got int32/);
    expect(() => rope(x, { offset: -1 })).toThrow(KernelInputError);
    expect(() => rope(x, { offset: 1.5 })).toThrow(/offset must be an integer/);
    expect(() => rope(x, { theta: 0 })).toThrow(/theta must be > 0/);
    expect(() => rope(x, { positions: tf.tensor1d([0, 1, 2]) })).toThrow(/positions must be int32, got float32/);
    expect(() => rope(x, { positions: tf.tensor1d([0, 1], 'int32') })).toThrow(/positions has shape \[2\], but x \[1, 2, 3, 8\] has T = 3/);
    expect(() => rope(x, { positions: tf.zeros([2, 3], 'int32') })).toThrow(/has B = 1/);
    expect(() => rope(x, { positions: tf.zeros([1, 1, 3], 'int32') })).toThrow(KernelInputError);
    expect(() => rope(x, { offset: 1, positions: tf.zeros([3], 'int32') })).toThrow(/either options.offset or options.positions/);
  });
});

describe('ropeTables', () => {
  it('returns [Bc, T, Dh/2] tables equal to HF float32 ones', () => {
    const pos = [[0, 1, 2, 3], [7, 8, 9, 40]];
    const { cos, sin } = ropeTables(tf.tensor2d(pos, undefined, 'int32'), 16, 10000);
    const ref = naiveTables(pos, 16, 10000);
    expectClose(cos, ref.cos, 2e-6, 'cos');
    expectClose(sin, ref.sin, 2e-6, 'sin');
    const t1 = ropeTables(tf.tensor1d([3, 4], 'int32'), 4);
    expect(t1.cos.shape).toEqual([1, 2, 2]);
    expectClose(t1.cos, naiveTables([[3, 4]], 4, 10000).cos, 2e-6, 'cos [T]');
  });

  it('computes inv_freq in float32 like PyTorch', () => {
    // position 1: cos/sin tables hold cos/sin(inv_freq); float32 inv_freq for Dh = 6, theta = 10000:
    // 1 / fround(10000^fround(2i/6)) rounded to float32
    const { sin } = ropeTables(tf.tensor1d([1], 'int32'), 6);
    const expected = [0, 1, 2].map((i) => Math.sin(Math.fround(1 / Math.fround(10000 ** Math.fround((2 * i) / 6)))));
    const got = sin.dataSync();
    for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(expected[i]!, 7);
  });

  it('rejects bad arguments', () => {
    expect(() => ropeTables(tf.tensor1d([1], 'int32'), 5)).toThrow(/ropeTables: headDim must be even, got 5/);
    expect(() => ropeTables(tf.tensor1d([1]), 4)).toThrow(KernelInputError);
    expect(() => ropeTables(tf.tensor1d([1], 'int32'), 4, -2)).toThrow(KernelInputError);
  });
});
