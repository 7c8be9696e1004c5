/**
 * Composite kernel of {@link AdamW}: one parameter update with torch.optim.AdamW semantics (see
 * docs/guides/kernels.md). Scalar coefficients are computed in double precision in JS.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, type AdamWAttrs } from '../names';
import { type CompositeKernel, numAttr, tensorInputs } from './common';

/** The scalar coefficients of one AdamW step. */
export interface AdamWCoefficients {
  /** `1 - lr · weightDecay`: decoupled weight decay factor. */
  decay: number;
  /** `lr / (1 - beta1^step)`. */
  stepSize: number;
  /** `sqrt(1 - beta2^step)`. */
  sqrtBc2: number;
}

/** Reads the AdamW attributes of a kernel call. */
export function adamwAttrs(kernelName: string, attrs: tf.NamedAttrMap | undefined): AdamWAttrs {
  return {
    lr: numAttr(kernelName, attrs, 'lr'),
    beta1: numAttr(kernelName, attrs, 'beta1'),
    beta2: numAttr(kernelName, attrs, 'beta2'),
    eps: numAttr(kernelName, attrs, 'eps'),
    weightDecay: numAttr(kernelName, attrs, 'weightDecay'),
    step: numAttr(kernelName, attrs, 'step'),
  };
}

/** The coefficients of one step (torch's `bias_correction1/2`, `step_size`). */
export function adamwCoefficients(a: AdamWAttrs): AdamWCoefficients {
  return {
    decay: 1 - a.lr * a.weightDecay,
    stepSize: a.lr / (1 - a.beta1 ** a.step),
    sqrtBc2: Math.sqrt(1 - a.beta2 ** a.step),
  };
}

/**
 * `p' = p (1 - lr wd) - stepSize · m' / (sqrt(v') / sqrt(bc2) + eps)` with `m' = β1 m + (1-β1) g` and
 * `v' = β2 v + (1-β2) g²`; outputs `[p', m', v']`.
 */
export const adamwComposite: CompositeKernel = {
  kernelName: AdamW,
  kernelFunc: ({ inputs, attrs }) => {
    const { param, grad, m, v } = tensorInputs(AdamW, inputs, ['param', 'grad', 'm', 'v'] as const);
    const a = adamwAttrs(AdamW, attrs);
    const c = adamwCoefficients(a);
    return tf.tidy(() => {
      const m2 = tf.add(tf.mul(m, tf.scalar(a.beta1)), tf.mul(grad, tf.scalar(1 - a.beta1)));
      const v2 = tf.add(tf.mul(v, tf.scalar(a.beta2)), tf.mul(tf.square(grad), tf.scalar(1 - a.beta2)));
      const denom = tf.add(tf.div(tf.sqrt(v2), tf.scalar(c.sqrtBc2)), tf.scalar(a.eps));
      const p2 = tf.sub(tf.mul(param, tf.scalar(c.decay)), tf.mul(tf.scalar(c.stepSize), tf.div(m2, denom)));
      return [p2, m2, v2];
    });
  },
};

/** The composite kernels of this file. */
export const adamwComposites: CompositeKernel[] = [adamwComposite];
