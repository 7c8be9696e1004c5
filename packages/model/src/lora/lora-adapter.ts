/**
 * One LoRA adapter: the low-rank update `scale · dropout(x) · A · B` added to a linear layer's output.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LinearAdapter } from '../decoder/linear';
import { makeVariable } from '../decoder/init';
import { Mulberry32, mixSeed } from '../training/rng';

/** Hyper-parameters of one {@link LoraAdapter}. */
export interface LoraAdapterOptions {
  /** Rank, an integer >= 1. */
  r: number;
  /** Scale numerator (the update is multiplied by `alpha / r`). */
  alpha: number;
  /** Input dropout rate while training, in [0, 1). */
  dropout: number;
  /** Seed of the A initialisation and of the dropout masks (mixed with the module name). */
  seed: number;
}

/**
 * The initial `A` `[in, r]` of a LoRA adapter: uniform in `±1/sqrt(in)`, which is PyTorch's
 * `kaiming_uniform_(a=sqrt(5))` on PEFT's `[r, in]` `lora_A` (bound `sqrt(6 / ((1 + 5) · fan_in))`),
 * seeded from `(seed, moduleName)`.
 */
export function loraAInit(inFeatures: number, r: number, seed: number, moduleName: string): Float32Array {
  const rng = new Mulberry32(mixSeed('lora-A', seed, moduleName));
  const bound = 1 / Math.sqrt(inFeatures);
  return Float32Array.from({ length: inFeatures * r }, () => (2 * rng.next() - 1) * bound);
}

/**
 * LoRA on one linear layer `y = x W` (`W` `[in, out]`): adds `scale · dropout(x) · A · B` with `A` `[in, r]`
 * (kaiming-uniform-like, seeded), `B` `[r, out]` (zeros, so a fresh adapter changes nothing) and
 * `scale = alpha / r`. Dropout applies only in training; each dropout call draws a new mask from a
 * counter-based seed, whose counter is {@link LoraAdapter.dropoutCalls} (save it to resume identically).
 */
export class LoraAdapter implements LinearAdapter {
  /** `[in, r]`. */
  readonly a: tf.Variable;
  /** `[r, out]`. */
  readonly b: tf.Variable;
  /** `alpha / r`. */
  readonly scale: number;
  /** Number of dropout masks drawn so far (the dropout RNG state). */
  dropoutCalls = 0;

  /**
   * @param moduleName - the linear module adapted, e.g. `model.layers.0.self_attn.q_proj`
   * @param inFeatures - input features of the layer
   * @param outFeatures - output features of the layer
   * @param options - see {@link LoraAdapterOptions}
   * @throws RangeError for non-positive sizes or a rank that is not a positive integer
   */
  constructor(
    readonly moduleName: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly options: LoraAdapterOptions,
  ) {
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures], ['options.r', options.r]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`LoraAdapter(${moduleName}): ${name} must be an integer >= 1, got ${v}`);
    }
    if (!(options.dropout >= 0 && options.dropout < 1)) {
      throw new RangeError(`LoraAdapter(${moduleName}): options.dropout must be in [0, 1), got ${options.dropout}`);
    }
    const { r } = options;
    this.scale = options.alpha / r;
    this.a = makeVariable(tf.tensor2d(loraAInit(inFeatures, r, options.seed, moduleName), [inFeatures, r]), `${moduleName}.lora_A`);
    this.b = makeVariable(tf.zeros([r, outFeatures], 'float32'), `${moduleName}.lora_B`);
  }

  /** Rank. */
  get r(): number {
    return this.options.r;
  }

  /**
   * `scale · dropout(x) · A · B` `[N, out]` for `x` `[N, in]`; dropout (inverted, rate `options.dropout`)
   * only when `training`.
   */
  delta(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new RangeError(`LoraAdapter(${this.moduleName}).delta: x must be [N, ${this.inFeatures}], got [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      let input: tf.Tensor2D = x;
      if (training && this.options.dropout > 0) {
        const seed = mixSeed('lora-dropout', this.options.seed, this.moduleName, this.dropoutCalls++);
        input = tf.dropout(x, this.options.dropout, undefined, seed) as tf.Tensor2D;
      }
      const low = tf.matMul(input, this.a as tf.Tensor2D);
      return tf.mul(tf.matMul(low, this.b as tf.Tensor2D), this.scale) as tf.Tensor2D;
    });
  }

  /** The dense update `scale · A · B` `[in, out]` (what merging adds to `W`); the caller owns it. */
  deltaWeight(): tf.Tensor2D {
    return tf.tidy(() => tf.mul(tf.matMul(this.a as tf.Tensor2D, this.b as tf.Tensor2D), this.scale) as tf.Tensor2D);
  }

  /** Frees A and B. */
  dispose(): void {
    this.a.dispose();
    this.b.dispose();
  }
}
