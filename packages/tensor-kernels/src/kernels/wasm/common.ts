/**
 * Helpers shared by the wasm kernels: views on tfjs' wasm heap and copies between it and the kernel
 * module's memory.
 */
import type { TensorInfo, DataType } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { getSimdKernels, type SimdKernels } from './simd-module';

export type { BackendWasm };

type HeapArray = Float32Array | Int32Array | Uint8Array;

/** The current buffer of tfjs' wasm heap (re-read after every allocation: memory can grow). */
export function tfjsHeap(backend: BackendWasm): ArrayBufferLike {
  const wasm = backend.wasm as unknown as { HEAPU8: Uint8Array; wasmMemory?: WebAssembly.Memory };
  // Threaded builds refresh HEAPU8 lazily after growth; the Memory object is always current.
  return wasm.wasmMemory ? wasm.wasmMemory.buffer : wasm.HEAPU8.buffer;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Typed-array view of a tensor's data on tfjs' wasm heap. */
export function tfjsView(backend: BackendWasm, t: TensorInfo): HeapArray {
  const offset = backend.dataIdMap.get(t.dataId)!.memoryOffset;
  const n = sizeOf(t.shape);
  const buf = tfjsHeap(backend);
  switch (t.dtype) {
    case 'float32':
      return new Float32Array(buf, offset, n);
    case 'int32':
      return new Int32Array(buf, offset, n);
    case 'bool':
      return new Uint8Array(buf, offset, n);
    default:
      throw new TypeError(`wasm kernels: unsupported dtype ${t.dtype} for a tensor of shape [${t.shape.join(', ')}]`);
  }
}

/**
 * Copies tensors into the kernel module's memory (values converted to float32, or int32 for
 * `ints`), after reserving `extra` byte regions. Returns the kernel module and all offsets: those of
 * the inputs first, then those of the extra regions.
 */
export function stage(
  backend: BackendWasm,
  inputs: readonly { t: TensorInfo; int?: boolean }[],
  extraBytes: readonly number[] = [],
): { k: SimdKernels; off: number[] } {
  const k = getSimdKernels();
  const off = k.layout([...inputs.map(({ t }) => sizeOf(t.shape) * 4), ...extraBytes]);
  inputs.forEach(({ t, int }, i) => {
    const n = sizeOf(t.shape);
    if (n === 0) return;
    (int ? k.i32(off[i], n) : k.f32(off[i], n)).set(tfjsView(backend, t));
  });
  return { k, off };
}

/** A new float32 (or given dtype) tensor made by the backend, filled from the kernel memory at `offset`. */
export function emit(
  backend: BackendWasm,
  k: SimdKernels,
  offset: number,
  shape: number[],
  dtype: DataType = 'float32',
): TensorInfo {
  const out = backend.makeOutput(shape, dtype);
  const n = sizeOf(shape);
  if (n > 0) tfjsView(backend, out).set(k.f32(offset, n));
  return out;
}
