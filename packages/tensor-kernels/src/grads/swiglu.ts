/**
 * Gradient of {@link SwiGLU}: the {@link SwiGLUGrad} kernel.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { SwiGLU, SwiGLUGrad } from '../kernels/names';
import { runMulti, single } from './common';

/** `{gate, up}` gradients from one {@link SwiGLUGrad} call. */
export const swigluGradConfig: tf.GradConfig = {
  kernelName: SwiGLU,
  inputsToSave: ['gate', 'up'],
  gradFunc: (dy, saved) => {
    const [gate, up] = saved as [tf.Tensor, tf.Tensor];
    const [dgate, dup] = runMulti(SwiGLUGrad, { dy: single(dy), gate, up }, {});
    return { gate: () => dgate!, up: () => dup! };
  },
};
