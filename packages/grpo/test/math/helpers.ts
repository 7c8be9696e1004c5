/** Shared helpers of the math tests: cpu backend, fixtures, tolerance. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';

/** cpu backend with tfjs gradients registered. */
export async function useCpu(): Promise<void> {
  await initBackend('cpu', { log: false });
}

/** A fixture tensor: shape and row-major data (null = NaN). */
export interface FixtureTensor {
  shape: number[];
  data: (number | null)[];
}

/** Loads `test/fixtures/<name>.json` (written by scripts/grpo_reference.py). */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', `${name}.json`), 'utf8')) as T;
}

/** Fixture tensor data as numbers (null → NaN). */
export function values(t: FixtureTensor): number[] {
  return t.data.map((v) => (v === null ? NaN : v));
}

/** Fixture tensor as a float32 tfjs tensor. */
export function toTensor(t: FixtureTensor): tf.Tensor {
  return tf.tensor(values(t), t.shape, 'float32');
}

/**
 * Tolerance of the float32 tfjs results against the float64 reference: |a − b| <= 1e-6 · max(|b|, 1) (absolute
 * below 1, relative above), the 1e-6.
 */
export const TOL = 1e-6;

/** Worst |a − b| / max(|b|, 1) (NaN must match NaN); Infinity on a length mismatch. */
export function worstError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (Number.isNaN(b) || Number.isNaN(a)) {
      if (!(Number.isNaN(a) && Number.isNaN(b))) return Infinity;
      continue;
    }
    worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 1));
  }
  return worst;
}
