/**
 * Composite kernel of {@link Rope} (Hugging Face `rotate_half` layout; see docs/guides/kernels.md). Its
 * gradient is the same kernel with `-sin`.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rope } from '../names';
import { type CompositeKernel, tensorInputs } from './common';

/** `y[..., :h] = x1 cos - x2 sin`, `y[..., h:] = x2 cos + x1 sin` with cos/sin [Bc, T, h] broadcast over heads. */
export const ropeComposite: CompositeKernel = {
  kernelName: Rope,
  kernelFunc: ({ inputs }) => {
    const { x, cos, sin } = tensorInputs(Rope, inputs, ['x', 'cos', 'sin'] as const);
    return tf.tidy(() => {
      const [bc, t, h] = cos.shape as [number, number, number];
      const c = tf.reshape(cos, [bc, 1, t, h]);
      const s = tf.reshape(sin, [bc, 1, t, h]);
      const [x1, x2] = tf.split(x, 2, -1) as [tf.Tensor, tf.Tensor];
      const y1 = tf.sub(tf.mul(x1, c), tf.mul(x2, s));
      const y2 = tf.add(tf.mul(x2, c), tf.mul(x1, s));
      return tf.concat([y1, y2], -1);
    });
  },
};

/** The composite kernels of this file. */
export const ropeComposites: CompositeKernel[] = [ropeComposite];
