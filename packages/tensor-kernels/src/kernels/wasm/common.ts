/**
 * Helpers shared by the wasm kernels: {@link kernelCall} (pointers for a kernel's inputs, outputs and
 * scratch, zero-copy on tfjs' heap or through copies), views on tfjs' wasm heap.
 */
import type { TensorInfo, DataType } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { getSimdKernels, zeroCopyKernels, type SimdFunctions, type SimdKernels, type ZeroCopyKernels } from './simd-module';
import { KernelInputError } from '../kernel-input-error';
import { KernelRuntimeError } from '../kernel-runtime-error';

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
      throw new KernelInputError('wasm kernels', 'dtype', `wasm kernels: unsupported dtype ${t.dtype} for a tensor of shape [${t.shape.join(', ')}]`);
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

/** One input of a {@link kernelCall}: its data is passed as float32, or as int32 with `int`. */
export interface CallInput {
  t: TensorInfo;
  int?: boolean;
}

/** One output of a {@link kernelCall}, made with `backend.makeOutput`. */
export interface CallOutput {
  shape: number[];
  dtype?: DataType;
}

/** What the body of a {@link kernelCall} gets: the kernel functions and the pointers. */
export interface CallPointers {
  fn: SimdFunctions;
  /** Pointers to the inputs' data, in order. */
  in: number[];
  /** Pointers to the outputs' data, in order. */
  out: number[];
  /** Pointers to the scratch regions (16-byte aligned, uninitialised), in order. */
  scratch: number[];
}

const HEAP_ALIGN = 16;

/**
 * Kernel functions working on tfjs' heap that replace the zero-copy wasm module's for the calls made
 * inside {@link withKernelFunctions} (the `native` backend runs the same kernel bodies on its addon).
 */
export type KernelFunctionTable = Pick<ZeroCopyKernels, 'fn' | 'malloc' | 'free'>;

let functionOverride: KernelFunctionTable | null = null;

/**
 * Runs `body` with {@link kernelCall} using `table` instead of the wasm module (zero-copy, pointers are
 * tfjs heap offsets as usual), then restores the previous table.
 */
export function withKernelFunctions<R>(table: KernelFunctionTable, body: () => R): R {
  const previous = functionOverride;
  functionOverride = table;
  try {
    return body();
  } finally {
    functionOverride = previous;
  }
}

/**
 * Runs one kernel: gives `body` the kernel functions and pointers to the inputs, to new outputs (made
 * by `backend.makeOutput`) and to scratch regions, and returns the outputs (with `body`'s result).
 *
 * Zero-copy path (tfjs' memory imported, see `zeroCopyKernels`; or the table of {@link withKernelFunctions}): input pointers are the tensors'
 * `memoryOffset`s (an input whose dtype differs from what the kernel reads is converted into a
 * temporary buffer), output pointers are the outputs' `memoryOffset`s, scratch is `_malloc`ed from tfjs'
 * heap and freed afterwards. Copy path: everything is laid out in the kernel module's own memory, the
 * inputs copied in and the outputs copied out. The body must not read outputs before writing them and
 * must not write inputs.
 */
export function kernelCall<R = void>(
  backend: BackendWasm,
  inputs: readonly CallInput[],
  outputs: readonly CallOutput[],
  scratchBytes: readonly number[],
  body: (p: CallPointers) => R,
): { outputs: TensorInfo[]; result: R } {
  const zc = functionOverride ?? zeroCopyKernels(backend.wasm);
  if (zc === null) return copyCall(backend, inputs, outputs, scratchBytes, body);
  const temps: number[] = [];
  const made: TensorInfo[] = [];
  const alloc = (bytes: number): number => {
    const ptr = zc.malloc(Math.max(bytes, HEAP_ALIGN));
    if (ptr === 0) throw new KernelRuntimeError(`wasm kernels: cannot allocate ${bytes} bytes of scratch on the tfjs heap`);
    temps.push(ptr);
    return ptr;
  };
  try {
    const inPtrs = inputs.map(({ t, int }) => {
      const want = int ? 'int32' : 'float32';
      const n = sizeOf(t.shape);
      if (t.dtype === want || n === 0) return backend.dataIdMap.get(t.dataId)!.memoryOffset;
      const ptr = alloc(n * 4);
      const src = tfjsView(backend, t);
      const buf = tfjsHeap(backend);
      (int ? new Int32Array(buf, ptr, n) : new Float32Array(buf, ptr, n)).set(src);
      return ptr;
    });
    const scratch = scratchBytes.map((bytes) => alloc(bytes));
    const outPtrs = outputs.map(({ shape, dtype }) => {
      const info = backend.makeOutput(shape, dtype ?? 'float32');
      made.push(info);
      return backend.dataIdMap.get(info.dataId)!.memoryOffset;
    });
    const result = body({ fn: zc.fn, in: inPtrs, out: outPtrs, scratch });
    return { outputs: made, result };
  } catch (e) {
    for (const info of made) backend.disposeData(info.dataId, true);
    throw e;
  } finally {
    for (const ptr of temps) zc.free(ptr);
  }
}

function copyCall<R>(
  backend: BackendWasm,
  inputs: readonly CallInput[],
  outputs: readonly CallOutput[],
  scratchBytes: readonly number[],
  body: (p: CallPointers) => R,
): { outputs: TensorInfo[]; result: R } {
  const outBytes = outputs.map(({ shape }) => sizeOf(shape) * 4);
  const { k, off } = stage(backend, inputs, [...outBytes, ...scratchBytes]);
  const ni = inputs.length;
  const no = outputs.length;
  const result = body({
    fn: k.fn,
    in: off.slice(0, ni),
    out: off.slice(ni, ni + no),
    scratch: off.slice(ni + no),
  });
  const made = outputs.map(({ shape, dtype }, i) => emit(backend, k, off[ni + i]!, shape, dtype));
  return { outputs: made, result };
}
