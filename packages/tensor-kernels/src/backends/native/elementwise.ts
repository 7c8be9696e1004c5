/**
 * float32 `Add`, `Sub` and `Mul` of the `native` backend: the output has the first operand's shape and the second
 * is the same shape, a scalar, or a tensor of the first's trailing dimensions (a bias `[N]` over `[M, N]`: what a
 * training step's residual adds, gradient sums and scalings mostly are); the addon runs them vectorised for the
 * build's CPU and split across its threads. Every other case (other dtypes, the broadcast operand first, general
 * broadcasting) goes to `fallback`: the wasm kernel, or for `Add` the small same-shape JavaScript path first.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { sizeOf } from '../../kernels/wasm/common';
import type { NativeHeap } from './native-heap';

type KernelFunc = tf.KernelConfig['kernelFunc'];

/** Below this many elements the N-API call costs more than it saves: the fallback runs them. */
export const NATIVE_BINARY_MIN = 16385;

/** The addon's operation codes. */
export const BINARY_OPS = { add: 0, sub: 1, mul: 2 } as const;

/** Elements of `b` when it repeats over `a` (same shape, scalar, or `a`'s trailing dimensions); else 0. */
export function repeatedOperandSize(a: readonly number[], b: readonly number[]): number {
  if (b.length > a.length) return 0;
  const lead = a.length - b.length;
  let seenNonOne = false;
  for (let d = 0; d < b.length; d++) {
    const bd = b[d]!;
    const ad = a[lead + d]!;
    if (bd === ad) {
      if (bd !== 1) seenNonOne = true;
      continue;
    }
    // a leading 1 of b before its real dims is a broadcast over that axis, which is only the same layout when
    // every dim before it is also 1 (b's data then repeats whole); anything else is general broadcasting
    if (bd === 1 && !seenNonOne) continue;
    return 0;
  }
  return sizeOf(b);
}

/** The native kernel of `op`; `fallback` takes every case it does not handle. */
export function nativeBinaryKernel(heap: NativeHeap, op: keyof typeof BINARY_OPS, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const n = sizeOf(a.shape);
    if (n < NATIVE_BINARY_MIN) return fallback(args);
    const nb = repeatedOperandSize(a.shape, b.shape);
    if (nb === 0 || n % nb !== 0) return fallback(args);
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(a.shape.slice(), 'float32');
    const x = backend.dataIdMap.get(a.dataId)!.memoryOffset;
    const y = backend.dataIdMap.get(b.dataId)!.memoryOffset;
    const z = backend.dataIdMap.get(out.dataId)!.memoryOffset;
    heap.sync();
    heap.addon.binary(BINARY_OPS[op], x, y, z, n, nb);
    return out;
  };
}
