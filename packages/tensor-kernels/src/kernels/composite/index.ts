/**
 * Every composite kernel, one per kernel name of `../names` (`ALL_KERNELS`).
 *
 * @packageDocumentation
 */
import { adamwComposites } from './adamw';
import { causalAttentionComposites } from './causal-attention';
import type { CompositeKernel } from './common';
import { crossEntropyComposites } from './cross-entropy';
import { rmsNormComposites } from './rms-norm';
import { ropeComposites } from './rope';
import { swigluComposites } from './swiglu';
import { tokenLogProbsComposites } from './token-log-probs';

export type { CompositeKernel } from './common';

/** The composite kernels of every fused kernel name. */
export const compositeKernels: readonly CompositeKernel[] = [
  ...rmsNormComposites,
  ...ropeComposites,
  ...causalAttentionComposites,
  ...swigluComposites,
  ...crossEntropyComposites,
  ...tokenLogProbsComposites,
  ...adamwComposites,
];
