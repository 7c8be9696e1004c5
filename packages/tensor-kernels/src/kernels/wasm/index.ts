/**
 * The wasm backend's fused kernels: hand-written SIMD C (csrc/, compiled to wasm32+simd128 and
 * embedded by scripts/build-wasm-kernels.mjs). They run zero-copy on tfjs' own wasm heap where the
 * module can import tfjs' memory, through copies otherwise (see simd-module.ts).
 *
 * @packageDocumentation
 */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { adamwConfigs } from './adamw';
import { causalAttentionConfigs } from './causal-attention';
import { crossEntropyConfigs } from './cross-entropy';
import { rmsNormConfigs } from './rms-norm';
import { ropeConfigs } from './rope';
import { swigluConfigs } from './swiglu';
import { tokenLogProbsConfigs } from './token-log-probs';

/** One kernel config per fused kernel name (see `../names`), all with backendName 'wasm'. */
export const wasmKernelConfigs: KernelConfig[] = [
  ...rmsNormConfigs,
  ...ropeConfigs,
  ...causalAttentionConfigs,
  ...swigluConfigs,
  ...crossEntropyConfigs,
  ...tokenLogProbsConfigs,
  ...adamwConfigs,
];

export {
  initSimdKernels,
  resetSimdKernels,
  simdKernelsSupported,
  setWasmKernelMode,
  getWasmKernelMode,
  type WasmKernelMode,
} from './simd-module';
