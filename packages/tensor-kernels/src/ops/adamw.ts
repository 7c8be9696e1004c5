/**
 * One fused AdamW parameter update.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, type AdamWAttrs } from '../kernels/names';
import { ensureKernels } from '../kernels/register';
import { assertDtype, assertNumber, assertSameShape, assertTensor, fail } from './validate';

/** Hyper-parameters of {@link adamw} (torch.optim.AdamW names and defaults). */
export interface AdamWOptions {
  /** Learning rate, >= 0. */
  lr: number;
  /** First-moment decay, in [0, 1) (default 0.9). */
  beta1?: number;
  /** Second-moment decay, in [0, 1) (default 0.999). */
  beta2?: number;
  /** Added to the denominator, >= 0 (default 1e-8). */
  eps?: number;
  /** Decoupled weight decay, >= 0 (default 0.01). */
  weightDecay?: number;
  /** 1-based step number of this update, used for bias correction (integer >= 1). */
  step: number;
}

/** The updated parameter and moments returned by {@link adamw}. */
export interface AdamWState {
  param: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
}

/**
 * One AdamW step with torch.optim.AdamW semantics (amsgrad off):
 * `p ← p (1 - lr wd)`, `m' = β1 m + (1-β1) g`, `v' = β2 v + (1-β2) g²`,
 * `p' = p - lr (m' / (1 - β1^step)) / (sqrt(v' / (1 - β2^step)) + eps)`.
 *
 * The inputs are not modified or disposed; the result holds three new tensors. The op is
 * differentiable with respect to all four inputs (for meta-learning).
 *
 * @param param - float32 parameter
 * @param grad - float32 gradient, the shape of `param`
 * @param m - float32 first moment, the shape of `param`
 * @param v - float32 second moment, the shape of `param`
 * @param options - see {@link AdamWOptions}
 * Elementwise, so a NaN or ±Inf in one element of `param`, `grad`, `m` or `v` reaches only that element
 * of the results, by IEEE arithmetic on the formula above as in PyTorch (e.g. `grad = ±Inf` gives
 * `m' = ±Inf`, `v' = +Inf` and `p' = NaN`). Empty tensors give empty results.
 *
 * @throws `KernelInputError` (`op` 'adamw', `field` the argument) for a non-tensor, a wrong dtype,
 *   a missing option, mismatched shapes or an option out of range.
 */
export function adamw(param: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, options: AdamWOptions): AdamWState {
  const op = 'adamw';
  assertTensor(op, 'param', param);
  assertTensor(op, 'grad', grad);
  assertTensor(op, 'm', m);
  assertTensor(op, 'v', v);
  for (const [name, t] of [['param', param], ['grad', grad], ['m', m], ['v', v]] as const) {
    assertDtype(op, name, t, 'float32');
  }
  assertSameShape(op, 'param', param, 'grad', grad);
  assertSameShape(op, 'param', param, 'm', m);
  assertSameShape(op, 'param', param, 'v', v);
  if (options === null || typeof options !== 'object') {
    fail(op, 'options', `options must be an object with at least lr and step, got ${options === null ? 'null' : typeof options}`);
  }
  const attrs: AdamWAttrs = {
    lr: options.lr,
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? 0.01,
    step: options.step,
  };
  assertNumber(op, 'options.lr', attrs.lr, { min: 0 });
  assertNumber(op, 'options.beta1', attrs.beta1, { min: 0, max: 1, maxExclusive: true });
  assertNumber(op, 'options.beta2', attrs.beta2, { min: 0, max: 1, maxExclusive: true });
  assertNumber(op, 'options.eps', attrs.eps, { min: 0 });
  assertNumber(op, 'options.weightDecay', attrs.weightDecay, { min: 0 });
  assertNumber(op, 'options.step', attrs.step, { min: 1, integer: true });
  ensureKernels();
  const [p2, m2, v2] = tf.engine().runKernel(
    AdamW,
    { param, grad, m, v },
    attrs as unknown as tf.NamedAttrMap,
  ) as unknown as tf.Tensor[];
  return { param: p2!, m: m2!, v: v2! };
}
