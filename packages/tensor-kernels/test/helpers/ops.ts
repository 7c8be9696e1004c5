/**
 * A uniform harness over the fused ops, so the fixture, gradcheck and leak tests can treat every op alike:
 * which inputs are differentiable, which are fixed (int32 ids, masks), how the op is called with the
 * fixture's options, and the vector-Jacobian product the tests check.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  adamw,
  causalAttention,
  crossEntropy,
  rmsNorm,
  rope,
  swiglu,
  tokenLogProbs,
} from '../../src/index';
import { type FixtureCase, type FixtureOp, toTensor } from './fixtures';

/** How to call one op. */
export interface OpHarness {
  /** Differentiable (float32) inputs, in the order `run` takes them. */
  floatInputs: readonly string[];
  /** Output names, in the order `run` returns them. */
  outputs: readonly string[];
  /** Calls the op. `xs` follow {@link floatInputs}; `fixed` holds the other inputs by name. */
  run(xs: tf.Tensor[], fixed: Record<string, tf.Tensor>, attrs: Record<string, number>): tf.Tensor[];
}

/** Copies the listed keys of `attrs` that are present (absent keys exercise the op's defaults). */
function pick<K extends string>(attrs: Record<string, number>, keys: readonly K[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const k of keys) if (attrs[k] !== undefined) out[k] = attrs[k];
  return out;
}

/** The harness of every op with fixtures. */
export const HARNESS: Readonly<Record<FixtureOp, OpHarness>> = {
  rmsNorm: {
    floatInputs: ['x', 'weight'],
    outputs: ['y'],
    run: ([x, w], _f, a) => [a.eps === undefined ? rmsNorm(x!, w!) : rmsNorm(x!, w!, a.eps)],
  },
  rope: {
    floatInputs: ['x'],
    outputs: ['y'],
    run: ([x], f, a) => [
      rope(x!, {
        ...pick(a, ['offset', 'theta'] as const),
        ...(f.positions ? { positions: f.positions } : {}),
      }),
    ],
  },
  causalAttention: {
    floatInputs: ['q', 'k', 'v'],
    outputs: ['y'],
    run: ([q, k, v], f, a) => [
      causalAttention(q!, k!, v!, {
        ...pick(a, ['scale'] as const),
        ...(f.keyMask ? { keyMask: f.keyMask } : {}),
      }),
    ],
  },
  swiglu: {
    floatInputs: ['gate', 'up'],
    outputs: ['y'],
    run: ([g, u]) => [swiglu(g!, u!)],
  },
  crossEntropy: {
    floatInputs: ['logits'],
    outputs: ['loss'],
    run: ([l], f, a) => [crossEntropy(l!, f.labels!, pick(a, ['ignoreIndex'] as const))],
  },
  tokenLogProbs: {
    floatInputs: ['logits'],
    outputs: ['y'],
    run: ([l], f) => [tokenLogProbs(l!, f.ids!)],
  },
  adamw: {
    floatInputs: ['param', 'grad', 'm', 'v'],
    outputs: ['param', 'm', 'v'],
    run: ([p, g, m, v], _f, a) => {
      const opts = pick(a, ['lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'step'] as const);
      const r = adamw(p!, g!, m!, v!, { ...opts, lr: a.lr!, step: a.step! });
      return [r.param, r.m, r.v];
    },
  },
};

/** The tensors of one fixture case. */
export interface PreparedCase {
  /** Float inputs in harness order. */
  xs: tf.Tensor[];
  /** Non-differentiable inputs by name. */
  fixed: Record<string, tf.Tensor>;
  /** Upstream gradients in output order. */
  dys: tf.Tensor[];
}

/** Creates the input and dy tensors of a fixture case (dispose with {@link disposeCase}). */
export function prepareCase(h: OpHarness, c: FixtureCase): PreparedCase {
  const xs = h.floatInputs.map((n) => {
    const t = c.inputs[n];
    if (!t) throw new Error(`fixture case '${c.name}' lacks input '${n}'`);
    return toTensor(t);
  });
  const fixed: Record<string, tf.Tensor> = {};
  for (const [n, t] of Object.entries(c.inputs)) if (!h.floatInputs.includes(n)) fixed[n] = toTensor(t);
  const dys = h.outputs.map((n) => {
    const t = c.dy[n];
    if (!t) throw new Error(`fixture case '${c.name}' lacks dy '${n}'`);
    return toTensor(t);
  });
  return { xs, fixed, dys };
}

/** Disposes the tensors of a prepared case. */
export function disposeCase(p: PreparedCase): void {
  tf.dispose([...p.xs, ...Object.values(p.fixed), ...p.dys]);
}

/**
 * Gradients of `Σ_k <y_k, dys_k>` with respect to every float input (a vector-Jacobian product).
 * Single-output ops use `tf.grads(f)(xs, dy)`; multi-output ops (adamw) differentiate the scalar
 * `Σ_k sum(y_k * dy_k)`, which has the same gradient.
 */
export function vjp(
  h: OpHarness,
  xs: tf.Tensor[],
  fixed: Record<string, tf.Tensor>,
  attrs: Record<string, number>,
  dys: tf.Tensor[],
): tf.Tensor[] {
  if (h.outputs.length === 1) {
    return tf.grads((...args: tf.Tensor[]) => h.run(args, fixed, attrs)[0]!)(xs, dys[0]);
  }
  return tf.grads((...args: tf.Tensor[]) => {
    const ys = h.run(args, fixed, attrs);
    return tf.addN(ys.map((y, i) => tf.sum(tf.mul(y, dys[i]!))));
  })(xs);
}
