/**
 * Gradient of {@link RmsNorm}: the {@link RmsNormGrad} kernel.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { RmsNorm, RmsNormGrad } from '../kernels/names';
import { runMulti, single } from './common';

/** `{x, weight}` gradients from one {@link RmsNormGrad} call. */
export const rmsNormGradConfig: tf.GradConfig = {
  kernelName: RmsNorm,
  inputsToSave: ['x', 'weight'],
  gradFunc: (dy, saved, attrs) => {
    const [x, weight] = saved as [tf.Tensor, tf.Tensor];
    // Both gradients come from one kernel call, made now: a call inside one thunk would have the other
    // output disposed by the engine's per-gradient tidy.
    const [dx, dweight] = runMulti(RmsNormGrad, { dy: single(dy), x, weight }, { eps: attrs.eps as number });
    return { x: () => dx!, weight: () => dweight! };
  },
};
