import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { KernelInputError } from '../../src/kernels/kernel-input-error';
import { rope, ropeTables } from '../../src/ops/rope';
import { vjp } from '../helpers/reference';
import { expectClose, randn, useCpu } from './setup';

/** HF `apply_rotary_pos_emb` with cos/sin = cos/sin(pos · invFreq) · scaling, float32 tfjs ops. */
function naiveRope(x: tf.Tensor, positions: number[], invFreq: number[], scaling: number): tf.Tensor {
  const ang = tf.mul(tf.reshape(tf.tensor1d(positions), [1, positions.length, 1]), tf.tensor3d(invFreq, [1, 1, invFreq.length]));
  const c = tf.expandDims(tf.mul(tf.concat([tf.cos(ang), tf.cos(ang)], -1), scaling), 1);
  const s = tf.expandDims(tf.mul(tf.concat([tf.sin(ang), tf.sin(ang)], -1), scaling), 1);
  const [x1, x2] = tf.split(x, 2, -1);
  return tf.add(tf.mul(x, c), tf.mul(tf.concat([tf.neg(x2!), x1!], -1), s));
}

beforeAll(useCpu);

describe('rope with precomputed invFreq and attentionScaling (HF rope scaling)', () => {
  const invFreq = [0.9, 0.05, 0.003, 0.0007];
  it('uses the given frequencies and scales cos/sin, offset and explicit positions alike, with gradients', () => {
    const x = randn([2, 3, 6, 8], 41);
    const dy = randn([2, 3, 6, 8], 42);
    const pos = [5, 6, 7, 8, 9, 10];
    const want = naiveRope(x, pos, invFreq, 1.37);
    const byOffset = { offset: 5, invFreq, attentionScaling: 1.37 };
    const byPositions = { positions: tf.tensor1d(pos, 'int32'), invFreq: Float32Array.from(invFreq), attentionScaling: 1.37 };
    expectClose(rope(x, byOffset), want, 2e-5, 'offset');
    expectClose(rope(x, byPositions), want, 2e-5, 'positions');
    const [gx] = vjp((a) => rope(a!, byOffset), [x], dy);
    const [rx] = vjp((a) => naiveRope(a!, pos, invFreq, 1.37), [x], dy);
    expectClose(gx!, rx!, 2e-5, 'dx');
  });

  it('takes invFreq as a float32 [Dh/2] tensor too', () => {
    const x = randn([1, 2, 5, 8], 44);
    expectClose(rope(x, { offset: 2, invFreq: tf.tensor1d(invFreq), attentionScaling: 0.8 }), rope(x, { offset: 2, invFreq, attentionScaling: 0.8 }), 0, 'y');
    expect(() => rope(x, { invFreq: tf.tensor1d([1, 2]) })).toThrow(/invFreq has shape \[2\], expected \[Dh \/ 2\] = \[4\]/);
    expect(() => rope(x, { invFreq: tf.tensor1d([1, 2, 3, 4], 'int32') })).toThrow(KernelInputError);
  });

  it('ignores theta when invFreq is given, and scales the tables', () => {
    const p = tf.tensor1d([0, 3], 'int32');
    const a = ropeTables(p, 8, 10000, { invFreq, attentionScaling: 2 });
    const b = ropeTables(p, 8, 77, { invFreq, attentionScaling: 2 });
    expectClose(a.cos, b.cos, 0, 'cos');
    const cos = a.cos.dataSync();
    expect(cos[0]).toBeCloseTo(2, 6); // position 0: cos 0 · 2
    expect(cos[4 + 1]).toBeCloseTo(2 * Math.cos(3 * Math.fround(0.05)), 6);
  });

  it('differs from the theta schedule (the option is not ignored)', () => {
    const x = randn([1, 1, 4, 8], 43);
    const d = tf.max(tf.abs(tf.sub(rope(x, { offset: 3, invFreq }), rope(x, { offset: 3 })))).dataSync()[0]!;
    expect(d).toBeGreaterThan(1e-2);
  });

  it('rejects a bad invFreq or attentionScaling with a KernelInputError naming it', () => {
    const x = tf.zeros([1, 1, 2, 8]);
    const bad: [Parameters<typeof rope>[1], RegExp][] = [
      [{ invFreq: [1, 2, 3] }, /invFreq has length 3, expected Dh \/ 2 = 4/],
      [{ invFreq: [1, 2, 0, 4] }, /invFreq\[2\] must be finite and positive/],
      [{ invFreq: [1, 2, Number.NaN, 4] }, /invFreq\[2\]/],
      [{ invFreq: 'abc' as unknown as number[] }, /invFreq must be a Float32Array/],
      [{ attentionScaling: 0 }, /attentionScaling must be > 0/],
      [{ attentionScaling: Number.POSITIVE_INFINITY }, /attentionScaling must be finite/],
    ];
    for (const [opts, re] of bad) {
      expect(() => rope(x, opts)).toThrow(KernelInputError);
      expect(() => rope(x, opts)).toThrow(re);
    }
    expect(() => ropeTables(tf.tensor1d([1], 'int32'), 8, 10000, { invFreq: [1] })).toThrow(/ropeTables: invFreq has length 1/);
  });
});
