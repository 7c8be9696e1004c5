/**
 * `UnsortedSegmentSum` for tfjs' wasm backend, which lacks it (the gradient of `tf.gather` needs it, so
 * embedding training fails on wasm without it).
 *
 * A single pass in JavaScript over views of the wasm heap: `out[ids[i], :] += x[i, :]`. Ids outside
 * `[0, numSegments)` are dropped, as on the cpu backend.
 *
 * @packageDocumentation
 */
import { KernelInputError } from '../../kernels/kernel-input-error';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Typed-array view of a tensor's data on the wasm heap (re-read after each allocation: memory can grow). */
function heapView(backend: BackendWasm, t: tf.TensorInfo): Float32Array | Int32Array {
  const view = backend.typedArrayFromHeap(t);
  if (view instanceof Float32Array || view instanceof Int32Array) return view;
  throw new KernelInputError('UnsortedSegmentSum (wasm)', 'x', `unsortedSegmentSum on wasm: unsupported dtype '${t.dtype}' for shape [${t.shape.join(', ')}]`);
}

/** The kernel function (exported for tests and for other backends' reuse of the wasm heap layout). */
export const unsortedSegmentSumWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const wasm = backend as BackendWasm;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new KernelInputError('UnsortedSegmentSum (wasm)', 'x', `unsortedSegmentSum on wasm: x must be float32 or int32, got ${x.dtype} of shape [${x.shape.join(', ')}]`);
  }
  if (segmentIds.dtype !== 'int32') {
    throw new KernelInputError('UnsortedSegmentSum (wasm)', 'segmentIds', `unsortedSegmentSum on wasm: segmentIds must be int32, got ${segmentIds.dtype}`);
  }
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new KernelInputError('UnsortedSegmentSum (wasm)', 'numSegments', `unsortedSegmentSum on wasm: numSegments must be a non-negative integer, got ${numSegments}`);
  }
  const idsRank = segmentIds.shape.length;
  const prefix = x.shape.slice(0, idsRank);
  if (idsRank > x.shape.length || prefix.some((d, i) => d !== segmentIds.shape[i])) {
    throw new KernelInputError(
      'UnsortedSegmentSum (wasm)',
      'segmentIds',
      `unsortedSegmentSum on wasm: segmentIds shape [${segmentIds.shape.join(', ')}] must be a prefix of ` +
        `x shape [${x.shape.join(', ')}]`,
    );
  }
  const inner = x.shape.slice(idsRank);
  const innerSize = inner.reduce((p, d) => p * d, 1);
  const numIds = segmentIds.shape.reduce((p, d) => p * d, 1);

  const out = wasm.makeOutput([numSegments, ...inner], x.dtype);
  // Views after the allocation (makeOutput may grow the heap and detach older views).
  const outView = heapView(wasm, out);
  const xView = heapView(wasm, x);
  const ids = wasm.typedArrayFromHeap(segmentIds) as Int32Array;
  outView.fill(0);
  for (let i = 0; i < numIds; i++) {
    const s = ids[i] as number;
    if (s < 0 || s >= numSegments) continue;
    const src = i * innerSize;
    const dst = s * innerSize;
    for (let k = 0; k < innerSize; k++) outView[dst + k] += xView[src + k] as number;
  }
  return out;
};

/** Registers {@link unsortedSegmentSumWasm} as the wasm `UnsortedSegmentSum` kernel unless one exists. */
export function registerWasmUnsortedSegmentSum(): void {
  if (tf.getKernel(tf.UnsortedSegmentSum, 'wasm') !== undefined) return;
  tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSumWasm });
}
