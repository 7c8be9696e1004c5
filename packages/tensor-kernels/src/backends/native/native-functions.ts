/**
 * The fused kernels' function table on the native addon: the names and arguments of the wasm SIMD
 * module (`SimdFunctions`), each call preceded by a heap sync. The wasm kernel bodies
 * (`src/kernels/wasm/*`) run unchanged on it through `withKernelFunctions`.
 *
 * @packageDocumentation
 */
import type { KernelFunctionTable } from '../../kernels/wasm/common';
import type { SimdFunctions } from '../../kernels/wasm/simd-module';
import { KernelRuntimeError } from '../../kernels/kernel-runtime-error';
import type { NativeHeap } from './native-heap';

const NAMES = [
  'qm_rmsnorm_fwd',
  'qm_rmsnorm_bwd',
  'qm_rope',
  'qm_swiglu_fwd',
  'qm_swiglu_bwd',
  'qm_xent_fwd',
  'qm_xent_bwd',
  'qm_tlp_fwd',
  'qm_tlp_bwd',
  'qm_adamw',
  'qm_attn_scratch_bytes',
  'qm_attn_fwd',
  'qm_attn_bwd',
] as const;

/** The function table of the native fused kernels over `heap` (qm_vexp / qm_vlog are wasm-only test hooks). */
export function nativeFunctionTable(heap: NativeHeap): KernelFunctionTable {
  const fn: Record<string, (...args: number[]) => number | void> = {};
  const addon = heap.addon as unknown as Record<string, (...args: number[]) => number | void>;
  for (const name of NAMES) {
    const f = addon[name];
    if (typeof f !== 'function') throw new KernelRuntimeError(`native kernels: the addon has no ${name}: rebuild it (node scripts/build-native.mjs --force)`);
    fn[name] = (...args: number[]) => {
      heap.sync();
      return f(...args);
    };
  }
  for (const name of ['qm_vexp', 'qm_vlog']) {
    fn[name] = () => {
      throw new KernelRuntimeError(`native kernels: ${name} exists only in the wasm module`);
    };
  }
  return { fn: fn as unknown as SimdFunctions, malloc: (bytes) => heap.malloc(bytes), free: (ptr) => heap.free(ptr) };
}

let active: KernelFunctionTable | undefined;

/** Records the table of the started native backend (internal: `initNativeBackend`). */
export function setActiveNativeTable(table: KernelFunctionTable): void {
  active = table;
}

/** The table of the started native backend; throws before `initNativeBackend` ran. */
export function activeNativeTable(): KernelFunctionTable {
  if (active === undefined) throw new KernelRuntimeError("native kernels: the 'native' backend has not been started (call initBackend('native'))");
  return active;
}
