import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { swiglu } from '../../src/ops/swiglu';
import { naiveSwiglu, vjp } from '../helpers/reference';
import { expectClose, randn, useCpu } from './setup';
import { KernelInputError } from '../../src/kernels/kernel-input-error';

beforeAll(useCpu);

describe('swiglu', () => {
  for (const [shape, scale, seed] of [
    [[4, 12], 1, 1],
    [[2, 3, 10], 6, 2],
    [[17], 1, 3],
  ] as const) {
    it(`matches silu(gate) * up and its gradients for ${JSON.stringify(shape)}`, () => {
      const g = randn([...shape], seed, scale);
      const u = randn([...shape], seed + 10);
      const dy = randn([...shape], seed + 20);
      expectClose(swiglu(g, u), naiveSwiglu(g, u), 1e-6, 'y');
      const [dg, du] = vjp((a, b) => swiglu(a!, b!), [g, u], dy);
      const [rg, ru] = vjp((a, b) => naiveSwiglu(a!, b!), [g, u], dy);
      expectClose(dg!, rg!, 1e-5, 'dgate');
      expectClose(du!, ru!, 1e-5, 'dup');
    });
  }

  it('rejects bad arguments with typed, descriptive errors', () => {
    expect(() => swiglu(tf.zeros([2, 3]), tf.zeros([3, 2]))).toThrow(KernelInputError);
    expect(() => swiglu(tf.zeros([2, 3]), tf.zeros([3, 2]))).toThrow("swiglu: up has shape [3, 2], which does not match gate's [2, 3]");
    expect(() => swiglu(tf.zeros([2], 'int32'), tf.zeros([2]))).toThrow(KernelInputError);
    expect(() => swiglu(tf.zeros([2]), undefined as unknown as tf.Tensor)).toThrow(/up must be a tf.Tensor/);
  });
});
