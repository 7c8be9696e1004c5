/** tfjs helpers for the bench suites: GPU synchronisation, leak checks, seeded inputs. */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '@quarkmed/model';

/** The seeded PRNG every bench input is drawn from (the model package's mulberry32). */
export { mulberry32 };

/** Backends whose kernels run asynchronously (a GPU queue): their results must be read back to time them. */
const ASYNC_BACKENDS = new Set(['webgpu', 'webgl']);

/**
 * Waits until the tensors are computed. On cpu and wasm (and tensorflow) a kernel has finished when the op
 * returns, so nothing is read back (a read-back would time a large copy, not the op). On webgpu/webgl one
 * element of each tensor is read with `await data()`, which waits for every command queued before it.
 */
export async function sync(ts: tf.Tensor | readonly tf.Tensor[]): Promise<void> {
  if (!ASYNC_BACKENDS.has(tf.getBackend())) return;
  const list = Array.isArray(ts) ? ts : [ts as tf.Tensor];
  for (const t of list) {
    if (t.size === 0) continue;
    if (t.rank === 0) {
      await t.data();
      continue;
    }
    const one = tf.slice(t, new Array<number>(t.rank).fill(0), new Array<number>(t.rank).fill(1));
    await one.data();
    one.dispose();
  }
}

/** Disposes a tensor or a list of tensors. */
export function disposeAll(ts: tf.Tensor | readonly tf.Tensor[] | undefined): void {
  if (ts === undefined) return;
  tf.dispose(Array.isArray(ts) ? [...ts] : (ts as tf.Tensor));
}

/** Number of live tensors in the engine. */
export function liveTensors(): number {
  return tf.memory().numTensors;
}

/** A float32 tensor of uniform values in `[lo, hi)` drawn from `seed`. */
export function randomUniform(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  const rnd = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * rnd();
  return tf.tensor(data, shape, 'float32');
}

/** An int32 tensor of uniform integers in `[0, max)` drawn from `seed`. */
export function randomInts(shape: number[], max: number, seed: number): tf.Tensor {
  const rnd = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Int32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.floor(rnd() * max);
  return tf.tensor(data, shape, 'int32');
}
