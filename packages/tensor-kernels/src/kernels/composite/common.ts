/**
 * Helpers of the composite kernels: backend-agnostic kernels written as compositions of tfjs ops. They run
 * on the `cpu` and `tensorflow` (tfjs-node) backends and are the fallback on any backend that has no
 * specialised kernel for a name.
 *
 * Inside a kernel function the engine does not record the tape, so tfjs ops may be used freely; every
 * kernel below runs in `tf.tidy` and returns only its outputs.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelInputError } from '../kernel-input-error';

/** A kernel without a backend: {@link registerComposites} adds the backend name when registering. */
export interface CompositeKernel {
  kernelName: string;
  kernelFunc: tf.KernelFunc;
}

/**
 * The inputs of a composite kernel as tensors. Ops pass `tf.Tensor`s to `runKernel`, so the engine hands
 * the same objects to the kernel; a bare `TensorInfo` (a kernel called from another backend's kernel)
 * is rejected with a clear message instead of failing somewhere inside a tfjs op.
 */
export function tensorInputs<K extends string>(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  required: readonly K[],
): Record<K, tf.Tensor> {
  const out = {} as Record<K, tf.Tensor>;
  for (const name of required) {
    const t = inputs[name];
    if (!(t instanceof tf.Tensor)) {
      throw new KernelInputError(kernelName, name, `${kernelName} (composite kernel): input '${name}' must be a tf.Tensor, got ${t === undefined ? 'nothing' : 'a TensorInfo'}`);
    }
    out[name] = t;
  }
  return out;
}

/** The optional input `name` as a tensor, or `undefined` when it was not given. */
export function optionalInput(kernelName: string, inputs: tf.NamedTensorInfoMap, name: string): tf.Tensor | undefined {
  const t = inputs[name];
  if (t === undefined || t === null) return undefined;
  if (!(t instanceof tf.Tensor)) {
    throw new KernelInputError(kernelName, name, `${kernelName} (composite kernel): input '${name}' must be a tf.Tensor, got a TensorInfo`);
  }
  return t;
}

/** Attribute `name` as a number (throws a `KernelInputError` when it is missing). */
export function numAttr(kernelName: string, attrs: tf.NamedAttrMap | undefined, name: string): number {
  const v = attrs?.[name];
  if (typeof v !== 'number') throw new KernelInputError(kernelName, name, `${kernelName}: attribute '${name}' must be a number, got ${typeof v}`);
  return v;
}

/**
 * Row-wise log-sum-exp `lse [N, 1]` of `x` [N, V], computed stably as `max + log(Σ exp(x - max))`.
 */
export function logSumExp(x: tf.Tensor2D): tf.Tensor2D {
  const m = tf.max(x, -1, true);
  const e = tf.exp(tf.sub(x, m));
  return tf.add(m, tf.log(tf.sum(e, -1, true)));
}

/**
 * `out[n] = x[n, ids[n]]` for x [N, V] and int32 ids [N], by `gatherND` with `(n, ids[n])` index pairs:
 * no one-hot, and no flattened `n * V + id` index that could overflow int32 for large N·V. (Not
 * `gather` with `batchDims`: the tfjs-node GatherV2 kernel ignores `batchDims`.)
 */
export function pickPerRow(x: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor1D {
  const n = x.shape[0];
  const pairs = tf.stack([tf.range(0, n, 1, 'int32'), ids], 1); // [N, 2]
  return tf.gatherND(x, pairs) as tf.Tensor1D;
}

/** Boolean `[N]`: whether each id lies in `[0, v)`. */
export function idsInRange(ids: tf.Tensor1D, v: number): tf.Tensor1D {
  return tf.logicalAnd(tf.greaterEqual(ids, tf.scalar(0, 'int32')), tf.less(ids, tf.scalar(v, 'int32'))) as tf.Tensor1D;
}

/**
 * Boolean `[N, V]` tensor that is true at `(n, ids[n])`: a broadcast comparison of the column index with
 * the ids. Only the backward kernels use it, and their output is a dense `[N, V]` tensor anyway.
 */
export function idMask(ids: tf.Tensor1D, n: number, v: number): tf.Tensor2D {
  return tf.equal(tf.reshape(tf.range(0, v, 1, 'int32'), [1, v]), tf.reshape(ids, [n, 1])) as tf.Tensor2D;
}
