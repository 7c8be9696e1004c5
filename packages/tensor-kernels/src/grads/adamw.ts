/**
 * Gradient of {@link AdamW} with respect to param, grad, m and v (for meta-learning through an
 * optimiser step), as a composition of elementwise tfjs ops.
 *
 * With `bc1 = 1 - β1^t`, `bc2 = 1 - β2^t`, `a = lr / bc1`, `s = sqrt(v') / sqrt(bc2)`, `D = s + eps`:
 *
 *     p' = p (1 - lr wd) - a m' / D,   m' = β1 m + (1 - β1) g,   v' = β2 v + (1 - β2) g²
 *
 * and for upstream gradients `(P, M, V)` of `(p', m', v')`:
 *
 *     Gm = M - P a / D                                      (total gradient of m')
 *     Gv = V + P a m' / (D² · 2 sqrt(bc2) sqrt(v'))         (total gradient of v'; ds/dv' = 1/(2 sqrt(bc2 v')))
 *     dp = P (1 - lr wd),  dm = β1 Gm,  dv = β2 Gv,  dg = (1 - β1) Gm + 2 (1 - β2) g Gv
 *
 * Like PyTorch's autograd of the same formula, it is infinite where `v' = 0`.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { adamwAttrs, adamwCoefficients } from '../kernels/composite/adamw';
import { AdamW } from '../kernels/names';

/** `{param, grad, m, v}` gradients of one AdamW step. */
export const adamwGradConfig: tf.GradConfig = {
  kernelName: AdamW,
  inputsToSave: ['param', 'grad', 'm', 'v'],
  gradFunc: (dys, saved, attrs) => {
    const [, grad, m, v] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const [dP, dM, dV] = (Array.isArray(dys) ? dys : [dys]) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const a = adamwAttrs(AdamW, attrs);
    const c = adamwCoefficients(a);
    // shared intermediates, computed once (each thunk runs in its own tidy)
    const [gm, gv] = tf.tidy(() => {
      const m2 = tf.add(tf.mul(m, tf.scalar(a.beta1)), tf.mul(grad, tf.scalar(1 - a.beta1)));
      const v2 = tf.add(tf.mul(v, tf.scalar(a.beta2)), tf.mul(tf.square(grad), tf.scalar(1 - a.beta2)));
      const sqrtV2 = tf.sqrt(v2);
      const denom = tf.add(tf.div(sqrtV2, tf.scalar(c.sqrtBc2)), tf.scalar(a.eps));
      const pa = tf.mul(dP, tf.scalar(c.stepSize));
      const gmT = tf.sub(dM, tf.div(pa, denom));
      const gvT = tf.add(
        dV,
        tf.div(tf.mul(pa, m2), tf.mul(tf.mul(tf.square(denom), tf.scalar(2 * c.sqrtBc2)), sqrtV2)),
      );
      return [gmT, gvT];
    });
    return {
      param: () => tf.mul(dP, tf.scalar(c.decay)),
      m: () => tf.mul(gm!, tf.scalar(a.beta1)),
      v: () => tf.mul(gv!, tf.scalar(a.beta2)),
      grad: () =>
        tf.add(tf.mul(gm!, tf.scalar(1 - a.beta1)), tf.mul(tf.mul(grad, gv!), tf.scalar(2 * (1 - a.beta2)))),
    };
  },
};
