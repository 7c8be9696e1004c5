/**
 * Gradient of {@link CrossEntropy}: the {@link CrossEntropyGrad} kernel. Labels get zeros.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { CrossEntropy, CrossEntropyGrad } from '../kernels/names';
import { runSingle, single, zeroGrad } from './common';

/** `{logits}` gradient (labels: zeros). */
export const crossEntropyGradConfig: tf.GradConfig = {
  kernelName: CrossEntropy,
  inputsToSave: ['logits', 'labels'],
  gradFunc: (dy, saved, attrs) => {
    const [logits, labels] = saved as [tf.Tensor, tf.Tensor];
    return {
      logits: () =>
        runSingle(CrossEntropyGrad, { dy: single(dy), logits, labels }, { ignoreIndex: attrs.ignoreIndex as number }),
      labels: () => zeroGrad(labels),
    };
  },
};
