/**
 * The interface of the native kernel addon (native/src/addon.cc), shared by the browser-safe backend code
 * and the Node-only loader (`src/node/native-addon.ts`). Pointer arguments are byte offsets into the
 * heap last given to {@link NativeAddon.setHeap}.
 *
 * @packageDocumentation
 */
import type { SimdFunctions } from '../../kernels/wasm/simd-module';

/** What the addon reports about its build. */
export interface NativeAddonInfo {
  /** The BLAS it calls for GEMM, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH … Haswell MAX_THREADS=64". */
  blas: string;
  /** The BLAS kernel set chosen for this CPU at run time (OpenBLAS DYNAMIC_ARCH), or "portable". */
  blasCore: string;
  /** "OpenMP" or "none". */
  threading: string;
  /** The instruction set the fused kernels were compiled for ("avx512f", "avx2+fma", "neon", …). */
  isa: string;
  /** Threads of the kernels and the BLAS. */
  threads: number;
}

/** The native addon: the fused kernels under the names of the wasm SIMD module, GEMM, heap and threads. */
export interface NativeAddon extends Omit<SimdFunctions, 'qm_vexp' | 'qm_vlog'> {
  /** Hands over the heap (a Uint8Array at offset 0 over the whole wasm memory buffer). */
  setHeap(heap: Uint8Array): void;
  /** y = softmax(x) over the last axis of [rows, v] floats at byte offsets x and y. */
  softmax(x: number, y: number, rows: number, v: number): void;
  /** out[i] = a[i] op b[i mod nb] over n floats at byte offsets a, b, out; op 0 add, 1 sub, 2 mul; nb divides n. */
  binary(op: number, a: number, b: number, out: number, n: number, nb: number): void;
  /** Threads of the kernels (OpenMP) and of the BLAS. */
  setThreads(threads: number): void;
  /** The build's BLAS, ISA and threading. */
  info(): NativeAddonInfo;
  /**
   * For each i < aIndex.length: C_i = op(A_{aIndex[i]}) op(B_{bIndex[i]}), [M, N] at c + i·M·N·4 bytes;
   * A_j at a + j·aStride floats ([M, K], or [K, M] with transA), B_j at b + j·bStride floats ([K, N], or
   * [N, K] with transB).
   */
  gemm(
    a: number,
    b: number,
    c: number,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    aIndex: Int32Array,
    bIndex: Int32Array,
    aStride: number,
    bStride: number,
  ): void;
}

/** The outcome of loading the addon: the addon, or why there is none. */
export type NativeAddonLoad =
  | { addon: NativeAddon; file: string; build: Record<string, unknown>; cores: number; reason?: undefined }
  | { addon?: undefined; reason: string };
