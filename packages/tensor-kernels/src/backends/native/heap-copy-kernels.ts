/**
 * The small data-movement kernels of the decode step on the `native` backend, done in JavaScript directly
 * on tfjs' heap: `Concat` (the KV cache grows by one time step per layer and token), `GatherV2` on axis 0
 * (the embedding row of each new token) and `Add` of two same-shape float32 tensors up to
 * {@link SMALL_ADD_MAX} elements (the residual adds of one token). tfjs-backend-wasm runs each through its
 * generic path and thread pool, ~10 µs a call (Add of 256 floats: 9 µs, one gathered row of 256 floats:
 * ~50 µs); here they are a few typed-array copies (`copyWithin`, memmove) or one loop. Every other case goes
 * to the wasm kernel, so results and errors are the wasm backend's: the copies move bits, and a float32 sum
 * computed in double and rounded once equals the float32 sum.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { sizeOf, tfjsHeap } from '../../kernels/wasm/common';

type KernelFunc = tf.KernelConfig['kernelFunc'];

/** Largest same-shape float32 `Add` done in JavaScript (beyond it XNNPACK's SIMD threads win). */
export const SMALL_ADD_MAX = 16384;

function offsetOf(backend: BackendWasm, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

/** A 4-byte element view of the whole heap (float32 and int32 copies move the same bits). */
function heapWords(backend: BackendWasm): Int32Array {
  return new Int32Array(tfjsHeap(backend));
}

/** `Concat` of float32 or int32 tensors of one dtype and rank; anything else goes to `fallback`. */
export function heapConcatKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const { axis: axisAttr } = (args.attrs ?? {}) as { axis?: number | number[] };
    const first = inputs[0];
    if (first === undefined || inputs.length < 2) return fallback(args);
    const dtype = first.dtype;
    const rank = first.shape.length;
    if ((dtype !== 'float32' && dtype !== 'int32') || rank === 0 || typeof axisAttr !== 'number') return fallback(args);
    const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
    if (axis < 0 || axis >= rank) return fallback(args);
    let along = 0;
    for (const t of inputs) {
      if (t.dtype !== dtype || t.shape.length !== rank) return fallback(args);
      for (let d = 0; d < rank; d++) if (d !== axis && t.shape[d] !== first.shape[d]) return fallback(args);
      if (sizeOf(t.shape) === 0) return fallback(args);
      along += t.shape[axis] as number;
    }
    const backend = args.backend as BackendWasm;
    const outShape = first.shape.slice();
    outShape[axis] = along;
    const out = backend.makeOutput(outShape, dtype);
    const outer = sizeOf(first.shape.slice(0, axis));
    const inner = sizeOf(first.shape.slice(axis + 1));
    const rowOut = along * inner;
    const words = heapWords(backend);
    const dst = offsetOf(backend, out) >> 2;
    let col = 0;
    for (const t of inputs) {
      const src = offsetOf(backend, t) >> 2;
      const row = (t.shape[axis] as number) * inner;
      for (let o = 0; o < outer; o++) words.copyWithin(dst + o * rowOut + col, src + o * row, src + (o + 1) * row);
      col += row;
    }
    return out;
  };
}

/** `GatherV2` of rows (axis 0, batchDims 0) of a float32/int32 tensor by in-range int32 indices; else `fallback`. */
export function heapGatherKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = (args.attrs ?? {}) as { axis?: number; batchDims?: number };
    if ((axis ?? 0) !== 0 || (batchDims ?? 0) !== 0) return fallback(args);
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || indices.dtype !== 'int32' || x.shape.length === 0) return fallback(args);
    const backend = args.backend as BackendWasm;
    const n = sizeOf(indices.shape);
    const rows = x.shape[0] as number;
    const inner = sizeOf(x.shape.slice(1));
    if (n === 0 || inner === 0) return fallback(args);
    const words = heapWords(backend);
    const idx = offsetOf(backend, indices) >> 2;
    for (let i = 0; i < n; i++) {
      const r = words[idx + i]!;
      if (r < 0 || r >= rows) return fallback(args); // the wasm kernel's own out-of-range behaviour
    }
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const w = heapWords(backend); // makeOutput may have grown the heap
    const src = offsetOf(backend, x) >> 2;
    const dst = offsetOf(backend, out) >> 2;
    const ind = offsetOf(backend, indices) >> 2;
    for (let i = 0; i < n; i++) {
      const r = w[ind + i]!;
      w.copyWithin(dst + i * inner, src + r * inner, src + (r + 1) * inner);
    }
    return out;
  };
}

/** `Add` of two float32 tensors of one shape with at most {@link SMALL_ADD_MAX} elements; else `fallback`. */
export function heapAddKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== b.shape.length) return fallback(args);
    for (let d = 0; d < a.shape.length; d++) if (a.shape[d] !== b.shape[d]) return fallback(args);
    const n = sizeOf(a.shape);
    if (n === 0 || n > SMALL_ADD_MAX) return fallback(args);
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(a.shape.slice(), 'float32');
    const buf = tfjsHeap(backend);
    const x = new Float32Array(buf, offsetOf(backend, a), n);
    const y = new Float32Array(buf, offsetOf(backend, b), n);
    const z = new Float32Array(buf, offsetOf(backend, out), n);
    for (let i = 0; i < n; i++) z[i] = x[i]! + y[i]!;
    return out;
  };
}

/**
 * `Identity` (tf.clone, and the pass-through gradients of add / sub / reshape-like ops: ~230 calls in one training
 * step of the reference model) without a copy: the output shares the input's heap buffer, reference-counted, as
 * tfjs-backend-cpu's Identity and every backend's Reshape do. tfjs tensors are immutable (a variable's `assign`
 * swaps its buffer, it never writes into one), and no kernel of this backend writes into an input, so sharing is
 * safe. Strings go to `fallback`.
 */
export function heapIdentityKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return fallback(args);
    const backend = args.backend as BackendWasm;
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
}

