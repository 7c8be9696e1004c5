/**
 * The key/value cache of incremental decoding.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** One layer's cached keys and values, each `[B, Hkv, length, Dh]` (keys after RoPE). */
export interface KVCacheLayer {
  k: tf.Tensor4D;
  v: tf.Tensor4D;
}

/**
 * Keys and values of the tokens seen so far, per layer. {@link LlamaModel.forward} appends to it in place
 * (concatenating on the time axis, disposing the previous tensors and `tf.keep`ing the new ones, so the
 * cache survives an enclosing `tf.tidy`). Call {@link KVCache.dispose} when done.
 */
export class KVCache {
  /** Cached time steps (the same for every layer). */
  length = 0;
  /** Per layer `{k, v}`; empty until the first forward. */
  layers: KVCacheLayer[] = [];

  constructor(readonly numLayers: number) {
    if (!Number.isInteger(numLayers) || numLayers < 1) {
      throw new RangeError(`KVCache: numLayers must be a positive integer, got ${numLayers}`);
    }
  }

  /** An empty cache for a model with `numLayers` layers. */
  static empty(numLayers: number): KVCache {
    return new KVCache(numLayers);
  }

  /** Batch size of the cached tensors, or undefined while empty. */
  get batchSize(): number | undefined {
    return this.layers[0]?.k.shape[0];
  }

  /**
   * Appends `k`, `v` `[B, Hkv, T, Dh]` to layer `layer` and returns the full (kept) `{k, v}`. The previous
   * tensors of the layer are disposed. Used by the model's forward; {@link KVCache.advance} then moves
   * `length` on once every layer has been appended to.
   */
  append(layer: number, k: tf.Tensor4D, v: tf.Tensor4D): KVCacheLayer {
    const old = this.layers[layer];
    let next: KVCacheLayer;
    if (old === undefined) {
      next = { k, v };
    } else {
      next = { k: tf.concat([old.k, k], 2), v: tf.concat([old.v, v], 2) };
      old.k.dispose();
      old.v.dispose();
    }
    tf.keep(next.k);
    tf.keep(next.v);
    this.layers[layer] = next;
    return next;
  }

  /** Records `t` more cached time steps. */
  advance(t: number): void {
    this.length += t;
  }

  /** Frees every cached tensor and empties the cache. */
  dispose(): void {
    for (const l of this.layers) {
      l.k.dispose();
      l.v.dispose();
    }
    this.layers = [];
    this.length = 0;
  }
}
