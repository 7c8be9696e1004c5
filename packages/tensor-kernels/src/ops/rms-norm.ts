/**
 * RMS normalisation (Llama `RMSNorm`).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { RmsNorm, type RmsNormAttrs } from '../kernels/names';
import { ensureKernels } from '../kernels/register';
import { assertDtype, assertNumber, assertTensor, fail, fmtShape } from './validate';

/**
 * Root-mean-square normalisation over the last axis: `y = x / sqrt(mean(x², -1) + eps) * weight`.
 *
 * @param x - float32 `[..., D]` (rank >= 1)
 * @param weight - float32 `[D]`
 * @param eps - added to the mean square, >= 0 (default 1e-6)
 * @returns float32, the shape of `x`
 * NaN and ±Inf (the same on every backend, as PyTorch's `x * rsqrt(mean(x²) + eps) * weight`): a NaN in a
 * row of `x` makes that row NaN; an `Inf` makes its own element NaN and the rest of its row 0; a NaN in
 * `weight[d]` makes column `d` NaN. In the gradient, a non-finite row of `x` or `dy` reaches its own `dx`
 * row and every `dweight` entry. Empty inputs (no rows, or D = 0) give empty results.
 *
 * @throws `KernelInputError` (`op` 'rmsNorm', `field` the argument) for a non-tensor, a wrong dtype
 *   or rank, a `weight` that does not match `x`'s last axis, or an `eps` that is negative or not finite.
 */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps = 1e-6): tf.Tensor {
  const op = 'rmsNorm';
  assertTensor(op, 'x', x);
  assertTensor(op, 'weight', weight);
  assertDtype(op, 'x', x, 'float32');
  assertDtype(op, 'weight', weight, 'float32');
  if (x.rank < 1) fail(op, 'x', `x must have rank >= 1 ([..., D]), got a scalar`);
  if (weight.rank !== 1) {
    fail(op, 'weight', `weight must be 1-D [D], got rank ${weight.rank} (shape ${fmtShape(weight.shape)})`);
  }
  const d = x.shape[x.rank - 1]!;
  if (weight.shape[0] !== d) {
    fail(op, 'weight', `weight has shape ${fmtShape(weight.shape)}, but x ${fmtShape(x.shape)} has D = ${d}`);
  }
  assertNumber(op, 'eps', eps, { min: 0 });
  ensureKernels();
  const attrs: RmsNormAttrs = { eps };
  return tf.engine().runKernel(RmsNorm, { x, weight }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
