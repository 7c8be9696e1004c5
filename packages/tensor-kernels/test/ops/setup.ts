/**
 * Shared setup of the op tests: the cpu backend set with `tf.setBackend` directly (so the ops register
 * their composite kernels themselves through `ensureKernels`), seeded random tensors and a tensor
 * comparison. The naive references and `vjp` are in ../helpers/reference.ts.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import '../../src/backends/tfjs-gradients.generated';
import { randIntArray, randomNormal } from '../helpers/random';
import { expectWithin } from '../helpers/tolerance';

/** Makes `cpu` the active backend without `initBackend`. */
export async function useCpu(): Promise<void> {
  tf.env().set('IS_TEST', true); // makes the engine check every kernel for leaked data ids
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") failed');
  await tf.ready();
  // silence the cpu backend's Node.js banner
  const instance = tf.engine().registry['cpu'] as { firstUse?: boolean } | undefined;
  if (instance) instance.firstUse = false;
}

/** float32 standard normal tensor of `shape` (times `scale`), from `seed`. */
export function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from(randomNormal(n, seed), (x) => x * scale);
  return tf.tensor(data, shape, 'float32');
}

/** int32 tensor of `shape` with values uniform in [0, hi), from `seed`. */
export function randint(shape: number[], hi: number, seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(randIntArray(n, hi, seed), shape, 'int32');
}

/** Asserts that `actual` matches `expected` (shape and values) within `tol` (see tolerance.ts). */
export function expectClose(actual: tf.Tensor, expected: tf.Tensor, tol: number, what: string): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  expectWithin(what, actual.dataSync(), expected.dataSync(), tol, expected.shape);
}
