/**
 * Composite kernels of {@link RmsNorm} and {@link RmsNormGrad} (see docs/guides/kernels.md).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { RmsNorm, RmsNormGrad } from '../names';
import { type CompositeKernel, numAttr, tensorInputs } from './common';

/** `r = 1/sqrt(mean_d(x²) + eps)` with shape [..., 1]. */
function invRms(x: tf.Tensor, eps: number): tf.Tensor {
  return tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), tf.scalar(eps)));
}

/** Forward: `y = x * r * weight`. */
export const rmsNormComposite: CompositeKernel = {
  kernelName: RmsNorm,
  kernelFunc: ({ inputs, attrs }) => {
    const { x, weight } = tensorInputs(RmsNorm, inputs, ['x', 'weight'] as const);
    const eps = numAttr(RmsNorm, attrs, 'eps');
    return tf.tidy(() => tf.mul(tf.mul(x, invRms(x, eps)), weight));
  },
};

/** Backward: `g = dy * weight`, `dx = r g - x r³ mean_d(g x)`, `dweight = Σ_rows dy x r`. */
export const rmsNormGradComposite: CompositeKernel = {
  kernelName: RmsNormGrad,
  kernelFunc: ({ inputs, attrs }) => {
    const { dy, x, weight } = tensorInputs(RmsNormGrad, inputs, ['dy', 'x', 'weight'] as const);
    const eps = numAttr(RmsNormGrad, attrs, 'eps');
    return tf.tidy(() => {
      const d = weight.shape[0]!;
      const r = invRms(x, eps);
      const xr = tf.mul(x, r); // normalised x
      const g = tf.mul(dy, weight);
      // dx = r * (g - xr * mean(g * xr)), the same as r g - x r³ mean(g x)
      const dx = tf.mul(r, tf.sub(g, tf.mul(xr, tf.mean(tf.mul(g, xr), -1, true))));
      const dweight = tf.sum(tf.reshape(tf.mul(dy, xr), [d === 0 ? 0 : x.size / d, d]), 0);
      return [dx, dweight];
    });
  },
};

/** The composite kernels of this file. */
export const rmsNormComposites: CompositeKernel[] = [rmsNormComposite, rmsNormGradComposite];
