/**
 * The `native` backend's fused kernels: the wasm kernel bodies (`../wasm/*`: argument checks, outputs
 * made on tfjs' heap, pointers) run with the native addon's function table instead of the wasm SIMD
 * module (`withKernelFunctions`), so both backends share one implementation of every check and layout,
 * and the addon runs the csrc/ algorithms compiled for the host CPU on every core.
 *
 * @packageDocumentation
 */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { wasmKernelConfigs } from '../wasm/index';
import { withKernelFunctions } from '../wasm/common';
import { activeNativeTable } from '../../backends/native/native-functions';

/** One kernel config per fused kernel name, all with backendName 'native' (after `initNativeBackend`). */
export function nativeKernelConfigs(): KernelConfig[] {
  const table = activeNativeTable();
  return wasmKernelConfigs.map((config) => ({
    kernelName: config.kernelName,
    backendName: 'native',
    kernelFunc: (args) => withKernelFunctions(table, () => config.kernelFunc(args)),
  }));
}
