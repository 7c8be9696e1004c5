/**
 * Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_ semantics), as pure functions.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Gradients as a list or as a name → tensor record (the shape `tf.variableGrads` returns). */
export type GradList = tf.Tensor[] | Record<string, tf.Tensor>;

/** Result of {@link clipByGlobalNorm}: new gradients (same container shape as the input) and the norm before clipping. */
export interface ClipResult<G extends GradList> {
  grads: G;
  /** Global L2 norm of the input gradients (before clipping), a scalar the caller must dispose. */
  norm: tf.Scalar;
}

function values(grads: GradList): tf.Tensor[] {
  return Array.isArray(grads) ? grads : Object.values(grads);
}

function checkGrads(fn: string, grads: unknown): asserts grads is GradList {
  if (grads === null || typeof grads !== 'object') {
    throw new TypeError(`${fn}: grads must be an array or a record of tensors, got ${grads === null ? 'null' : typeof grads}`);
  }
  for (const [k, g] of Object.entries(grads as Record<string, unknown>)) {
    if (!(g instanceof tf.Tensor)) throw new TypeError(`${fn}: grads[${k}] must be a tf.Tensor, got ${typeof g}`);
    if (g.dtype !== 'float32') throw new TypeError(`${fn}: grads[${k}] must be float32, got ${g.dtype} (shape [${g.shape.join(', ')}])`);
  }
}

/**
 * Global L2 norm `sqrt(Σ_i ||g_i||²)` over every gradient, as a new scalar. An empty list gives 0.
 *
 * @throws TypeError when an entry is not a float32 tensor
 */
export function globalNorm(grads: GradList): tf.Scalar {
  checkGrads('globalNorm', grads);
  const list = values(grads);
  return tf.tidy(() => {
    if (list.length === 0) return tf.scalar(0);
    return tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
  });
}

/**
 * Scales every gradient by `min(1, maxNorm / (norm + 1e-6))` where `norm` is their {@link globalNorm}
 * (PyTorch's `clip_grad_norm_`). Pure: the inputs are neither modified nor disposed; the result holds new
 * tensors (also when no scaling happens) that the caller owns. The norm stays on the device (no sync).
 * A non-finite norm propagates into the gradients, as in PyTorch.
 *
 * @param grads - float32 gradients, a list or a record
 * @param maxNorm - the largest allowed global norm, > 0 (`Infinity` only measures the norm)
 * @throws TypeError for a non-tensor gradient; RangeError when `maxNorm` is not > 0
 */
export function clipByGlobalNorm<G extends GradList>(grads: G, maxNorm: number): ClipResult<G> {
  checkGrads('clipByGlobalNorm', grads);
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm <= 0) {
    throw new RangeError(`clipByGlobalNorm: maxNorm must be a number > 0, got ${String(maxNorm)}`);
  }
  const norm = globalNorm(grads);
  const scale = tf.tidy(() =>
    Number.isFinite(maxNorm) ? tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(norm, 1e-6))) : tf.scalar(1),
  );
  const scaleOne = (g: tf.Tensor): tf.Tensor => tf.mul(g, scale);
  const out = Array.isArray(grads)
    ? grads.map(scaleOne)
    : Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, scaleOne(g)]));
  scale.dispose();
  return { grads: out as G, norm };
}
