/**
 * Mean token cross-entropy with an ignore index (PyTorch `F.cross_entropy(..., reduction='mean')`).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CrossEntropy, type CrossEntropyAttrs } from '../kernels/names';
import { ensureKernels } from '../kernels/register';
import { assertDtype, assertIndicesInRange, assertNumber, assertTensor, cheapSyncRead, fmtShape } from './validate';

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** Rows whose label equals this value are left out of the loss and of the mean (default -100). */
  ignoreIndex?: number;
  /**
   * Whether to check that every label is in `[0, V)` or equals `ignoreIndex`. The check reads the labels
   * back synchronously, so by default (`undefined`) it runs only on backends that keep tensors in CPU
   * memory (cpu, wasm, tensorflow), where that read costs about as much as a copy of the labels; on GPU
   * backends it is skipped unless `true` is passed. `false` skips it everywhere. Without the check, an
   * out-of-range label gives a backend-dependent result (an error on cpu, undefined values elsewhere).
   */
  validate?: boolean;
}

/**
 * Mean cross-entropy `Σ_n (logsumexp(logits[n]) - logits[n, labels[n]]) / count` over the rows whose
 * label is not `ignoreIndex`; 0 when every row is ignored. Never builds a one-hot. Differentiable with
 * respect to `logits`.
 *
 * @param logits - float32 `[N, V]`
 * @param labels - int32 `[N]`, each in `[0, V)` or equal to `ignoreIndex`
 * @param options - see {@link CrossEntropyOptions}
 * @returns a float32 scalar
 * @throws TypeError for a non-tensor, wrong dtype or rank; RangeError when `labels` does not have N
 *   entries, `ignoreIndex` is not an integer, or (when validated) a label is out of range.
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
    throw new TypeError(`${op}: logits must be [N, V], got rank ${logits.rank} (shape ${fmtShape(logits.shape)}); reshape [B, T, V] logits to [B*T, V]`);
  }
  if (labels.rank !== 1) {
    throw new TypeError(`${op}: labels must be [N], got rank ${labels.rank} (shape ${fmtShape(labels.shape)})`);
  }
  const [n, v] = logits.shape as [number, number];
  if (labels.shape[0] !== n) {
    throw new RangeError(`${op}: labels has shape ${fmtShape(labels.shape)}, but logits ${fmtShape(logits.shape)} has N = ${n} rows`);
  }
  if (v === 0) throw new RangeError(`${op}: logits ${fmtShape(logits.shape)} has an empty vocabulary (V = 0)`);
  const ignoreIndex = options.ignoreIndex ?? -100;
  assertNumber(op, 'options.ignoreIndex', ignoreIndex, { integer: true });
  if (options.validate ?? cheapSyncRead()) assertIndicesInRange(op, 'labels', labels, v, 'vocabulary size V =', ignoreIndex);
  ensureKernels();
  const attrs: CrossEntropyAttrs = { ignoreIndex };
  return tf.engine().runKernel(CrossEntropy, { logits, labels }, attrs as unknown as tf.NamedAttrMap) as tf.Scalar;
}
