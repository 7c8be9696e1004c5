/**
 * The SwiGLU gate of Llama-style MLPs.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { SwiGLU } from '../kernels/names';
import { ensureKernels } from '../kernels/register';
import { assertDtype, assertSameShape, assertTensor } from './validate';

/**
 * `silu(gate) * up` elementwise, with `silu(g) = g * sigmoid(g)`.
 *
 * @param gate - float32, any shape
 * @param up - float32, the shape of `gate`
 * @returns float32, the shape of `gate`
 * Elementwise, so a NaN reaches only its own element (forward and backward); `silu(+Inf) = +Inf`,
 * `silu(-Inf) = NaN` (`-Inf · sigmoid(-Inf) = -Inf · 0`) as in PyTorch. Empty tensors give empty results.
 *
 * @throws `KernelInputError` (`op` 'swiglu', `field` the argument) for a non-tensor, a wrong dtype or
 *   shapes that differ.
 */
export function swiglu(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  const op = 'swiglu';
  assertTensor(op, 'gate', gate);
  assertTensor(op, 'up', up);
  assertDtype(op, 'gate', gate, 'float32');
  assertDtype(op, 'up', up, 'float32');
  assertSameShape(op, 'gate', gate, 'up', up);
  ensureKernels();
  return tf.engine().runKernel(SwiGLU, { gate, up }, {}) as tf.Tensor;
}
