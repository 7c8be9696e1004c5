/**
 * `stopGradient`: tfjs has no `tf.stopGradient`, so this is the identity with a zero gradient (PyTorch's `.detach()`).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

const detach = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/** The value of `x` with no gradient flowing back into it (PyTorch `x.detach()`). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detach(x) as T;
}
