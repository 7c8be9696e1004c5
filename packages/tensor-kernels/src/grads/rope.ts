/**
 * Gradient of {@link Rope}: rope is a rotation, so its transpose is the same kernel with `-sin`. The
 * tables get zero gradients (they are functions of integer positions).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rope } from '../kernels/names';
import { runSingle, single, zeroGrad } from './common';

/** `dx = rope(dy, cos, -sin)`. */
export const ropeGradConfig: tf.GradConfig = {
  kernelName: Rope,
  inputsToSave: ['cos', 'sin'],
  gradFunc: (dy, saved) => {
    const [cos, sin] = saved as [tf.Tensor, tf.Tensor];
    return {
      x: () => {
        const negSin = tf.neg(sin);
        const dx = runSingle(Rope, { x: single(dy), cos, sin: negSin }, {});
        negSin.dispose();
        return dx;
      },
      cos: () => zeroGrad(cos),
      sin: () => zeroGrad(sin),
    };
  },
};
