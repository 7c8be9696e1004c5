import * as tf from '@tensorflow/tfjs-core';
import { causalAttention, rmsNorm, rope, swiglu, crossEntropy } from '@quarkmed/tensor-kernels';

/** Shape of the one-block model the quickstart trains. */
export interface TinyBlockConfig {
  vocab: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
}

/** Seeded normal init scaled by `std`. */
function init(shape: number[], std: number, seed: number, name: string): tf.Variable {
  return tf.variable(tf.randomNormal(shape, 0, std, 'float32', seed), true, name);
}

/**
 * A pre-norm decoder block (RMSNorm → GQA attention with RoPE → RMSNorm → SwiGLU) between an embedding and an
 * untied LM head, built only from the fused ops of `@quarkmed/tensor-kernels`.
 */
export class TinyBlock {
  readonly params: Record<string, tf.Variable>;
  private readonly headDim: number;

  constructor(readonly config: TinyBlockConfig, seed: number) {
    const { vocab, hidden, heads, kvHeads, intermediate } = config;
    this.headDim = hidden / heads;
    const std = 0.02;
    const kv = kvHeads * this.headDim;
    this.params = {
      embed: init([vocab, hidden], std, seed + 1, 'embed'),
      norm1: tf.variable(tf.ones([hidden]), true, 'norm1'),
      wq: init([hidden, hidden], std, seed + 2, 'wq'),
      wk: init([hidden, kv], std, seed + 3, 'wk'),
      wv: init([hidden, kv], std, seed + 4, 'wv'),
      wo: init([hidden, hidden], std / Math.sqrt(2), seed + 5, 'wo'),
      norm2: tf.variable(tf.ones([hidden]), true, 'norm2'),
      wGate: init([hidden, intermediate], std, seed + 6, 'wGate'),
      wUp: init([hidden, intermediate], std, seed + 7, 'wUp'),
      wDown: init([intermediate, hidden], std / Math.sqrt(2), seed + 8, 'wDown'),
      normF: tf.variable(tf.ones([hidden]), true, 'normF'),
      head: init([hidden, vocab], std, seed + 9, 'head'),
    };
  }

  /** Mean next-token cross-entropy of `inputs` [B, T] against `targets` [B, T] (int32). */
  loss(inputs: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
    const p = this.params;
    const { heads, kvHeads, hidden, vocab } = this.config;
    const [b, t] = inputs.shape;
    const split = (x: tf.Tensor, n: number) =>
      tf.transpose(tf.reshape(x, [b, t, n, this.headDim]), [0, 2, 1, 3]) as tf.Tensor4D;
    const flat = (x: tf.Tensor) => tf.reshape(x, [b * t, -1]) as tf.Tensor2D;

    const h0 = tf.reshape(tf.gather(p.embed, tf.reshape(inputs, [-1])), [b, t, hidden]);
    const x1 = flat(rmsNorm(h0, p.norm1));
    const q = rope(split(tf.matMul(x1, p.wq), heads));
    const k = rope(split(tf.matMul(x1, p.wk), kvHeads));
    const v = split(tf.matMul(x1, p.wv), kvHeads);
    const attn = tf.reshape(tf.transpose(causalAttention(q, k, v), [0, 2, 1, 3]), [b * t, hidden]);
    const h1 = tf.add(flat(h0), tf.matMul(attn, p.wo));
    const x2 = rmsNorm(h1, p.norm2);
    const mlp = tf.matMul(swiglu(tf.matMul(x2, p.wGate), tf.matMul(x2, p.wUp)), p.wDown);
    const h2 = rmsNorm(tf.add(h1, mlp), p.normF);
    const logits = tf.reshape(tf.matMul(h2, p.head), [b * t, vocab]) as tf.Tensor2D;
    return crossEntropy(logits, tf.reshape(targets, [-1]) as tf.Tensor1D);
  }

  /** Total number of trainable values. */
  parameterCount(): number {
    return Object.values(this.params).reduce((n, v) => n + v.size, 0);
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of Object.values(this.params)) v.dispose();
  }
}
