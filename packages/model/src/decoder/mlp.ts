/**
 * The SwiGLU feed-forward block of Llama.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { swiglu } from '@quarkmed/tensor-kernels';
import type { Linear, LinearContext } from './linear';

/** The three projections of a SwiGLU MLP (Llama `gate_proj`/`up_proj`/`down_proj`, Mixtral `w1`/`w3`/`w2`). */
export interface MlpProjections {
  gate: Linear;
  up: Linear;
  down: Linear;
}

/** `down(silu(gate(x)) * up(x))` for `x` `[N, hidden]`; returns `[N, hidden]`. */
export function swigluMlp(x: tf.Tensor2D, p: MlpProjections, ctx: LinearContext): tf.Tensor2D {
  return p.down.apply(swiglu(p.gate.apply(x, ctx), p.up.apply(x, ctx)) as tf.Tensor2D, ctx);
}
