/**
 * The webgpu backend's fused kernels: WGSL programs run through tfjs-backend-webgpu's
 * `runWebGPUProgram` (row reductions in workgroup memory, one workgroup per row), plus tfjs' own webgpu
 * matmul for attention. Loading this module does not load `@tensorflow/tfjs-backend-webgpu` (only its
 * types are used), so it is safe before `navigator.gpu` exists; the kernels run only on the `webgpu`
 * backend.
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

/** One kernel config per fused kernel name (see `../names`), all with backendName 'webgpu'. */
export const webgpuKernelConfigs: KernelConfig[] = [
  ...rmsNormConfigs,
  ...ropeConfigs,
  ...causalAttentionConfigs,
  ...swigluConfigs,
  ...crossEntropyConfigs,
  ...tokenLogProbsConfigs,
  ...adamwConfigs,
];
