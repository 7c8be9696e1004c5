/**
 * Helpers for wasm kernel functions that compose tf ops on their inputs.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * A `tf.Tensor` for a kernel input: the input itself when the engine passed a Tensor (the usual case);
 * otherwise a new Tensor over the same data, with the backend's reference count raised so that disposing
 * it (the caller must, via `owned`) leaves the caller's data alone.
 */
export function borrowTensor(info: tf.TensorInfo, backend: tf.KernelBackend, owned: tf.Tensor[]): tf.Tensor {
  if (info instanceof tf.Tensor) return info;
  backend.incRef(info.dataId);
  const t = tf.engine().makeTensorFromTensorInfo(info, backend);
  owned.push(t);
  return t;
}

/**
 * A `tf.Tensor` that takes ownership of a TensorInfo just produced by a kernel (no reference count change:
 * disposing the Tensor frees the data).
 */
export function adoptTensorInfo(info: tf.TensorInfo, backend: tf.KernelBackend): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(info, backend);
}
