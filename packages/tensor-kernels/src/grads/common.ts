/**
 * Helpers of the gradient registrations.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * The gradient of an input that has none (integer ids and labels, rope's cos/sin tables): float32 zeros
 * of its shape. The engine only asks for it when the input lies on the path being differentiated, and it
 * requires float32 gradients.
 */
export function zeroGrad(t: tf.Tensor): tf.Tensor {
  return tf.zeros(t.shape, 'float32');
}

/** The single upstream gradient of a one-output kernel. */
export function single(dy: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(dy) ? dy[0]! : dy;
}

/** Runs a backward kernel that returns several tensors. */
export function runMulti(kernelName: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor[] {
  return tf.engine().runKernel(kernelName, inputs, attrs) as unknown as tf.Tensor[];
}

/** Runs a kernel that returns one tensor. */
export function runSingle(kernelName: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor {
  return tf.engine().runKernel(kernelName, inputs, attrs) as tf.Tensor;
}
