/**
 * Registers the gradient of every forward fused kernel (once, when this module is first imported). Each
 * gradient calls the backward kernels through `runKernel`, so it runs the active backend's fast path.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { adamwGradConfig } from './adamw';
import { causalAttentionGradConfig } from './causal-attention';
import { crossEntropyGradConfig } from './cross-entropy';
import { rmsNormGradConfig } from './rms-norm';
import { ropeGradConfig } from './rope';
import { swigluGradConfig } from './swiglu';
import { tokenLogProbsGradConfig } from './token-log-probs';

/** The gradient configs of the forward kernels. */
export const gradConfigs: readonly tf.GradConfig[] = [
  rmsNormGradConfig,
  ropeGradConfig,
  causalAttentionGradConfig,
  swigluGradConfig,
  crossEntropyGradConfig,
  tokenLogProbsGradConfig,
  adamwGradConfig,
];

for (const config of gradConfigs) tf.registerGradient(config);

export { causalAttentionBackward } from './causal-attention';
