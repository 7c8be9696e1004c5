/**
 * Linear layers with `[in, out]` weights, an optional bias and optional adapters (LoRA).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Something added to a linear layer's output, e.g. a LoRA update `scale · dropout(x) A B`. */
export interface LinearAdapter {
  /** The `[N, out]` term added to `x · W` for input `x` `[N, in]`. */
  delta(x: tf.Tensor2D, training: boolean): tf.Tensor2D;
}

/** Per-call context of {@link Linear.apply}. */
export interface LinearContext {
  /** Training mode (adapters may apply dropout). */
  training: boolean;
  /** Whether attached adapters contribute (false gives the frozen base model, e.g. an RL reference). */
  adaptersEnabled: boolean;
}

/** A linear layer `y = x · W (+ b)` with `W` stored `[in, out]` (transposed relative to PyTorch) and `b` `[out]`. */
export class Linear {
  /** An adapter whose `delta` is added to the output when adapters are enabled. */
  adapter?: LinearAdapter;

  /**
   * @param name - the Hugging Face module name without `.weight`, e.g. `model.layers.0.self_attn.q_proj`
   * @param weight - the `[in, out]` weight variable
   * @param bias - the optional `[out]` bias variable (HF `<name>.bias`)
   */
  constructor(
    readonly name: string,
    readonly weight: tf.Variable,
    readonly bias?: tf.Variable,
  ) {}

  /** Input features. */
  get inFeatures(): number {
    return this.weight.shape[0]!;
  }

  /** Output features. */
  get outFeatures(): number {
    return this.weight.shape[1]!;
  }

  /** `x · W (+ b) (+ adapter.delta(x, training))` for `x` `[N, in]`; returns `[N, out]`. */
  apply(x: tf.Tensor2D, ctx: LinearContext): tf.Tensor2D {
    const bias = this.bias;
    const y: tf.Tensor2D =
      bias === undefined ? tf.matMul(x, this.weight as tf.Tensor2D) : tf.tidy((): tf.Tensor2D => tf.add(tf.matMul(x, this.weight as tf.Tensor2D), bias));
    if (this.adapter === undefined || !ctx.adaptersEnabled) return y;
    const adapter = this.adapter;
    return tf.tidy((): tf.Tensor2D => tf.add(y, adapter.delta(x, ctx.training)));
  }
}
