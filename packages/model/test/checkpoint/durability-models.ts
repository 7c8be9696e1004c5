/**
 * The two models (and two LoRA adapters) of the durability test, built the same way, from fixed seeds,
 * in the test process and in its child (durability-child.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LlamaConfig } from '../../src/config';
import { LlamaModel } from '../../src/decoder/llama';
import { normalValues } from '../../src/decoder/init';
import { applyLora, type LoraHandle } from '../../src/lora/apply-lora';

export const DURABILITY_CONFIG: LlamaConfig = {
  vocabSize: 256,
  hiddenSize: 64,
  numLayers: 4,
  numHeads: 4,
  numKvHeads: 2,
  intermediateSize: 128,
  maxSeqLen: 32,
};

/** Shard size that splits a checkpoint of {@link DURABILITY_CONFIG} into exactly 5 shards (checked by the test). */
export const DURABILITY_SHARD_BYTES = 150_000;

function randomize(model: LlamaModel, seed: number): void {
  let k = 0;
  for (const [name, v] of model.weights) {
    const vals = normalValues(v.size, 0.2, seed * 1000 + k++);
    if (name.endsWith('norm.weight')) for (let i = 0; i < vals.length; i++) vals[i]! += 1;
    tf.tidy(() => v.assign(tf.tensor(vals, v.shape, 'float32')));
  }
}

/** Models A (seed 101) and B (seed 202) of the same architecture with different weights. */
export function makeModels(): { a: LlamaModel; b: LlamaModel } {
  const a = new LlamaModel(DURABILITY_CONFIG, { seed: 1, init: 'zeros' });
  const b = new LlamaModel(DURABILITY_CONFIG, { seed: 2, init: 'zeros' });
  randomize(a, 101);
  randomize(b, 202);
  return { a, b };
}

/** Adapters A (alpha 8) and B (alpha 16) on two base models, with seeded non-zero weights. */
export function makeAdapters(): { a: LoraHandle; b: LoraHandle } {
  const make = (alpha: number, seed: number): LoraHandle => {
    const base = new LlamaModel(DURABILITY_CONFIG, { seed: 3, init: 'zeros' });
    const h = applyLora(base, { r: 4, alpha, dropout: 0, targetModules: ['q', 'k', 'v', 'o'], seed });
    let k = 0;
    for (const ad of h.adapters.values()) {
      for (const v of [ad.a, ad.b]) tf.tidy(() => v.assign(tf.tensor(normalValues(v.size, 0.3, seed * 1000 + k++), v.shape, 'float32')));
    }
    return h;
  };
  return { a: make(8, 11), b: make(16, 22) };
}
