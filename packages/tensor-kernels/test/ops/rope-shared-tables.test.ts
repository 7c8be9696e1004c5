/**
 * `rope(x, { tables })`: precomputed cos/sin tables shared between calls (a decoder builds them once per forward
 * pass for q and k of every layer) give exactly what `rope` builds itself, gradients included, and every misuse is a
 * KernelInputError naming the field.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { rope, ropeTables, ropeTablesAt } from '../../src/ops/rope';
import { KernelInputError } from '../../src/kernels/kernel-input-error';
import { randn, useCpu } from './setup';

describe('rope with shared tables', () => {
  beforeAll(useCpu);

  it('equals rope with an offset, and with positions, bit for bit (forward and gradient)', () => {
    const x = randn([2, 3, 5, 8], 11);
    const own = rope(x, { offset: 7, theta: 500, attentionScaling: 1.5 });
    const t = ropeTablesAt(7, 5, 8, 500, { attentionScaling: 1.5 });
    const shared = rope(x, { tables: t });
    expect(Array.from(shared.dataSync())).toEqual(Array.from(own.dataSync()));
    const gOwn = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(rope(v, { offset: 7, theta: 500, attentionScaling: 1.5 }), x)))(x);
    const gShared = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(rope(v, { tables: t }), x)))(x);
    expect(Array.from(gShared.dataSync())).toEqual(Array.from(gOwn.dataSync()));
    const positions = tf.tensor2d([[3, 4, 5, 6, 9], [0, 1, 2, 3, 4]], undefined, 'int32');
    const byPositions = rope(x, { positions });
    const pt = ropeTables(positions, 8);
    expect(Array.from(rope(x, { tables: pt }).dataSync())).toEqual(Array.from(byPositions.dataSync()));
    expect(t.cos.isDisposed).toBe(false); // rope never disposes tables it was given
    tf.dispose([x, own, shared, gOwn, gShared, positions, byPositions, pt.cos, pt.sin, t.cos, t.sin]);
  });

  it('refuses tables together with positional options, of the wrong shape or dtype, and bad ropeTablesAt arguments', () => {
    const x = randn([1, 2, 4, 8], 3);
    const t = ropeTablesAt(0, 4, 8);
    const wrong = ropeTablesAt(0, 3, 8);
    const ints = { cos: tf.zeros([1, 4, 4], 'int32'), sin: tf.zeros([1, 4, 4], 'int32') };
    const cases: [() => unknown, RegExp][] = [
      [() => rope(x, { tables: t, offset: 2 }), /options\.tables or options\.offset/],
      [() => rope(x, { tables: t, theta: 10 }), /options\.tables or options\.theta/],
      [() => rope(x, { tables: wrong }), /options\.tables\.cos.*expected \[1, 4, 4\]/],
      [() => rope(x, { tables: ints }), /options\.tables\.cos/],
      [() => ropeTablesAt(-1, 4, 8), /offset/],
      [() => ropeTablesAt(0, 0, 8), /length/],
      [() => ropeTablesAt(0, 4, 7), /headDim|head dimension/],
    ];
    for (const [f, msg] of cases) {
      expect(f).toThrow(KernelInputError);
      expect(f).toThrow(msg);
    }
    tf.dispose([x, t.cos, t.sin, wrong.cos, wrong.sin, ints.cos, ints.sin]);
  });
});
