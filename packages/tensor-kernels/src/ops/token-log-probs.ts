/**
 * Log-probabilities of given tokens under logits (`log_softmax(logits).gather(-1, ids)`).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { TokenLogProbs } from '../kernels/names';
import { ensureKernels } from '../kernels/register';
import { assertDtype, assertIndicesInRange, assertTensor, cheapSyncRead, fail, fmtShape } from './validate';

/**
 * `out[...] = log_softmax(logits[..., :])[ids[...]] = logits[..., ids] - logsumexp(logits[..., :])`,
 * computed without a one-hot. Differentiable with respect to `logits`.
 *
 * The ids are checked to lie in `[0, V)` on backends that keep tensors in CPU memory (cpu, wasm,
 * tensorflow), where reading them back is cheap (a `KernelInputError` before any kernel runs). On
 * GPU backends they are not read back; the kernels guard their index math instead, so an out-of-range id
 * never reads or writes out of bounds: its output is NaN and its gradient row is NaN.
 *
 * NaN and ±Inf (the same on every backend, as PyTorch's `log_softmax(...).gather(...)`): a row whose
 * logits hold a NaN or a `+Inf`, or are all `-Inf`, gives NaN (output and gradient row); otherwise a `-Inf`
 * logit at the id gives `-Inf`. Empty leading dimensions give an empty result.
 *
 * @param logits - float32 `[..., V]` (rank >= 1)
 * @param ids - int32 with the shape of `logits` without its last axis
 * @returns float32, the shape of `ids`
 * @throws `KernelInputError` (`op` 'tokenLogProbs', `field` the argument) for a non-tensor, a wrong
 *   dtype, shapes that do not match, an empty vocabulary or (when checked) an id out of range.
 */
export function tokenLogProbs(logits: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const op = 'tokenLogProbs';
  assertTensor(op, 'logits', logits);
  assertTensor(op, 'ids', ids);
  assertDtype(op, 'logits', logits, 'float32');
  assertDtype(op, 'ids', ids, 'int32');
  if (logits.rank < 1) fail(op, 'logits', `logits must be [..., V], got a scalar`);
  const lead = logits.shape.slice(0, -1);
  const v = logits.shape[logits.rank - 1]!;
  if (!tf.util.arraysEqual(ids.shape, lead)) {
    fail(op, 'ids', `ids has shape ${fmtShape(ids.shape)}, expected ${fmtShape(lead)} (logits ${fmtShape(logits.shape)} without its last axis)`);
  }
  if (v === 0) fail(op, 'logits', `logits ${fmtShape(logits.shape)} has an empty vocabulary (V = 0)`);
  if (cheapSyncRead()) assertIndicesInRange(op, 'ids', ids, v, 'vocabulary size V =');
  ensureKernels();
  const n = tf.util.sizeFromShape(lead);
  return tf.tidy(() => {
    const l2 = logits.rank === 2 ? logits : tf.reshape(logits, [n, v]);
    const i1 = ids.rank === 1 ? ids : tf.reshape(ids, [n]);
    const out = tf.engine().runKernel(TokenLogProbs, { logits: l2, ids: i1 }, {}) as tf.Tensor;
    return ids.rank === 1 ? out : tf.reshape(out, lead);
  });
}
