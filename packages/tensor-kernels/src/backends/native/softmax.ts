/**
 * `Softmax` of the `native` backend (over the last axis, the only one tfjs' softmax accepts): rows split
 * across the addon's threads, the vectorised exp of csrc/qm_math.h. Anything else goes to the wasm kernel.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { sizeOf } from '../../kernels/wasm/common';
import type { NativeHeap } from './native-heap';

type KernelFunc = tf.KernelConfig['kernelFunc'];

/** The native `Softmax` kernel; `fallback` (the wasm kernel) takes other dtypes and axes. */
export function nativeSoftmaxKernel(heap: NativeHeap, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { logits } = args.inputs as { logits: tf.TensorInfo };
    const { dim } = (args.attrs ?? {}) as { dim?: number };
    const rank = logits.shape.length;
    const axis = dim === undefined || dim < 0 ? rank + (dim ?? -1) : dim;
    if (logits.dtype !== 'float32' || rank === 0 || axis !== rank - 1) return fallback(args);
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(logits.shape.slice(), 'float32');
    const V = logits.shape[rank - 1] as number;
    const size = sizeOf(logits.shape);
    if (size === 0) return out;
    const x = backend.dataIdMap.get(logits.dataId)!.memoryOffset;
    const y = backend.dataIdMap.get(out.dataId)!.memoryOffset;
    heap.sync();
    heap.addon.softmax(x, y, size / V, V);
    return out;
  };
}
