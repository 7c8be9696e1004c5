/**
 * Mean token cross-entropy with an ignore index (PyTorch `F.cross_entropy(..., reduction='mean')`).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CrossEntropy, type CrossEntropyAttrs } from '../kernels/names';
import { ensureKernels } from '../kernels/register';
import { assertDtype, assertIndicesInRange, assertNumber, assertTensor, cheapSyncRead, fail, fmtShape } from './validate';

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** Rows whose label equals this value are left out of the loss and of the mean (default -100). */
  ignoreIndex?: number;
  /**
   * Whether to check that every label is in `[0, V)` or equals `ignoreIndex`. The check reads the labels
   * back synchronously, so by default (`undefined`) it runs only on backends that keep tensors in CPU
   * memory (cpu, wasm, native, tensorflow), where that read costs about as much as a copy of the labels; on GPU
   * backends it is skipped unless `true` is passed. `false` skips it everywhere. Without the check, an
   * out-of-range label never makes a kernel read or write out of bounds: its row gets a NaN loss (so
   * the mean is NaN) and a NaN gradient row, on every backend.
   */
  validate?: boolean;
}

/**
 * Mean cross-entropy `Σ_n (logsumexp(logits[n]) - logits[n, labels[n]]) / count` over the rows whose
 * label is not `ignoreIndex`; 0 when every row is ignored (or N = 0; the gradient is then `[0, V]`).
 * Never builds a one-hot. Differentiable with respect to `logits`.
 *
 * NaN and ±Inf (the same on every backend, as PyTorch's `log_softmax` + `nll_loss`): a kept row whose
 * logits hold a NaN or a `+Inf`, or are all `-Inf`, has a NaN loss (so the mean is NaN) and a NaN gradient
 * row; a `-Inf` logit at the label gives `+Inf`. Ignored rows do not enter the loss: their gradient is
 * exactly 0 even when their logits are NaN (PyTorch's backward gives NaN there, `0 · NaN`).
 *
 * Out-of-range labels: validated (a `KernelInputError`) before any kernel runs where `validate`
 * is on (by default on cpu, wasm, native, tensorflow). Without validation no kernel ever reads or writes out of
 * bounds: a row with a label outside `[0, V)` (and not `ignoreIndex`) counts as kept, with a NaN loss
 * (so a NaN mean) and a NaN gradient row.
 *
 * @param logits - float32 `[N, V]`
 * @param labels - int32 `[N]`, each in `[0, V)` or equal to `ignoreIndex`
 * @param options - see {@link CrossEntropyOptions}
 * @returns a float32 scalar
 * @throws `KernelInputError` (`op` 'crossEntropy', `field` the argument) for a non-tensor, a wrong
 *   dtype or rank, `labels` without N entries, an empty vocabulary, a non-integer `ignoreIndex`, or (when
 *   validated) a label out of range.
 */
export function crossEntropy(
  logits: tf.Tensor2D | tf.Tensor,
  labels: tf.Tensor1D | tf.Tensor,
  options: CrossEntropyOptions = {},
): tf.Scalar {
  const op = 'crossEntropy';
  assertTensor(op, 'logits', logits);
  assertTensor(op, 'labels', labels);
  assertDtype(op, 'logits', logits, 'float32');
  assertDtype(op, 'labels', labels, 'int32');
  if (logits.rank !== 2) {
    fail(op, 'logits', `logits must be [N, V], got rank ${logits.rank} (shape ${fmtShape(logits.shape)}); reshape [B, T, V] logits to [B*T, V]`);
  }
  if (labels.rank !== 1) {
    fail(op, 'labels', `labels must be [N], got rank ${labels.rank} (shape ${fmtShape(labels.shape)})`);
  }
  const [n, v] = logits.shape as [number, number];
  if (labels.shape[0] !== n) {
    fail(op, 'labels', `labels has shape ${fmtShape(labels.shape)}, but logits ${fmtShape(logits.shape)} has N = ${n} rows`);
  }
  if (v === 0) fail(op, 'logits', `logits ${fmtShape(logits.shape)} has an empty vocabulary (V = 0)`);
  const ignoreIndex = options.ignoreIndex ?? -100;
  assertNumber(op, 'options.ignoreIndex', ignoreIndex, { integer: true });
  if (options.validate ?? cheapSyncRead()) assertIndicesInRange(op, 'labels', labels, v, 'vocabulary size V =', ignoreIndex);
  ensureKernels();
  const attrs: CrossEntropyAttrs = { ignoreIndex };
  return tf.engine().runKernel(CrossEntropy, { logits, labels }, attrs as unknown as tf.NamedAttrMap) as tf.Scalar;
}
