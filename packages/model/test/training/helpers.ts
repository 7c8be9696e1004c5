/** Shared helpers of the training and LoRA tests. */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';
import { Mulberry32 } from '../../src/training/rng';

/** cpu backend with the fused kernels and tfjs gradients registered. */
export async function useCpu(): Promise<void> {
  await initBackend('cpu', { log: false });
}

/** Largest absolute difference between two tensors (or arrays) of the same size. */
export function maxAbsDiff(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): number {
  const x = a instanceof tf.Tensor ? a.dataSync() : a;
  const y = b instanceof tf.Tensor ? b.dataSync() : b;
  if (x.length !== y.length) throw new Error(`maxAbsDiff: sizes differ (${x.length} vs ${y.length})`);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i]! - y[i]!);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

/** Seeded float32 tensor with values uniform in [-scale, scale). */
export function randu(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = new Mulberry32(seed);
  const n = shape.reduce((p, q) => p * q, 1);
  const data = Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
  return tf.tensor(data, shape, 'float32');
}
