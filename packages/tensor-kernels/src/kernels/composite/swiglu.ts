/**
 * Composite kernels of {@link SwiGLU} and {@link SwiGLUGrad} (see docs/guides/kernels.md).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { SwiGLU, SwiGLUGrad } from '../names';
import { type CompositeKernel, tensorInputs } from './common';

/** Forward: `silu(gate) * up` with `silu(g) = g * sigmoid(g)`. */
export const swigluComposite: CompositeKernel = {
  kernelName: SwiGLU,
  kernelFunc: ({ inputs }) => {
    const { gate, up } = tensorInputs(SwiGLU, inputs, ['gate', 'up'] as const);
    return tf.tidy(() => tf.mul(tf.mul(gate, tf.sigmoid(gate)), up));
  },
};

/** Backward: `s = sigmoid(gate)`, `dup = dy gate s`, `dgate = dy up s (1 + gate (1 - s))`. */
export const swigluGradComposite: CompositeKernel = {
  kernelName: SwiGLUGrad,
  kernelFunc: ({ inputs }) => {
    const { dy, gate, up } = tensorInputs(SwiGLUGrad, inputs, ['dy', 'gate', 'up'] as const);
    return tf.tidy(() => {
      const s = tf.sigmoid(gate);
      const dup = tf.mul(dy, tf.mul(gate, s));
      const one = tf.scalar(1);
      const dsilu = tf.mul(s, tf.add(one, tf.mul(gate, tf.sub(one, s))));
      const dgate = tf.mul(tf.mul(dy, up), dsilu);
      return [dgate, dup];
    });
  },
};

/** The composite kernels of this file. */
export const swigluComposites: CompositeKernel[] = [swigluComposite, swigluGradComposite];
