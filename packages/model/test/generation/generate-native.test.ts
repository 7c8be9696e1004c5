/**
 * The decode path on the `native` backend (one-row products through sgemv, the heap-copy Concat / GatherV2 /
 * Add, no mask or positions uploaded for unpadded prompts): greedy generation gives the tokens of the
 * generic path (an explicit all-ones mask and positions each step, the pre-change loop) and of the cpu
 * backend, logits within 1e-5 / 1e-4. Skipped where the addon is not built, unless QUARKMED_REQUIRE_NATIVE=1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';
import { afterAll, describe, expect, it } from 'vitest';
import { LlamaModel } from '../../src/decoder/llama';
import { generate } from '../../src/generation/index';

const nativeOk = await initBackend('native', { log: false }).then(
  () => true,
  () => false,
);
const CONFIG = { vocabSize: 512, hiddenSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 176, maxSeqLen: 64 };
const PROMPT = [5, 77, 300, 12, 9, 410];
const NEW = 24;

/** Greedy decoding with the cache, feeding the mask and positions explicitly every step (the generic path). */
function referenceGreedy(model: LlamaModel, prompt: number[], n: number): { tokens: number[]; logits: Float32Array[] } {
  const cache = model.createCache();
  const tokens: number[] = [];
  const logits: Float32Array[] = [];
  try {
    let input = prompt;
    let past = 0;
    for (let s = 0; s < n; s++) {
      const T = input.length;
      const row = tf.tidy(() => {
        const out = model.forward(tf.tensor2d(input, [1, T], 'int32'), {
          cache,
          attentionMask: tf.ones([1, past + T], 'int32') as tf.Tensor2D,
          positions: tf.tensor2d(Array.from({ length: T }, (_, j) => past + j), [1, T], 'int32'),
        });
        return tf.reshape(tf.slice(out.logits, [0, T - 1, 0], [1, 1, CONFIG.vocabSize]), [CONFIG.vocabSize]);
      });
      const v = row.dataSync() as Float32Array;
      row.dispose();
      let best = 0;
      for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
      tokens.push(best);
      logits.push(Float32Array.from(v));
      past += T;
      input = [best];
    }
  } finally {
    cache.dispose();
  }
  return { tokens, logits };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.skipIf(!nativeOk && process.env['QUARKMED_REQUIRE_NATIVE'] !== '1')('generation on native', () => {
  let model: LlamaModel | undefined;
  afterAll(() => model?.dispose());

  it('greedy tokens equal the generic path (mask + positions each step) and cpu, logits within 1e-5 / 1e-4', async () => {
    await initBackend('native', { log: false });
    model = new LlamaModel(CONFIG, { seed: 7 });
    const before = tf.memory().numTensors;
    const [fast] = await generate(model, [PROMPT], { maxNewTokens: NEW, stopIds: [], returnLogits: true });
    expect(tf.memory().numTensors).toBe(before);
    const ref = referenceGreedy(model, PROMPT, NEW);
    expect(fast!.tokenIds).toEqual(ref.tokens);
    for (let s = 0; s < NEW; s++) expect(maxAbsDiff(fast!.logits![s]!, ref.logits[s]!)).toBeLessThan(1e-5);
    // not degenerate: the greedy continuation is not one repeated token
    expect(new Set(fast!.tokenIds).size).toBeGreaterThan(3);
    // an unpadded batch of two equals each row alone
    const other = [400, 3, 3, 90, 17, 250];
    const batch = await generate(model, [PROMPT, other], { maxNewTokens: 8, stopIds: [] });
    const [alone] = await generate(model, [other], { maxNewTokens: 8, stopIds: [] });
    expect(batch[0]!.tokenIds).toEqual(fast!.tokenIds.slice(0, 8));
    expect(batch[1]!.tokenIds).toEqual(alone!.tokenIds);

    await initBackend('cpu', { log: false });
    const cpuModel = new LlamaModel(CONFIG, { seed: 7 });
    try {
      const [cpu] = await generate(cpuModel, [PROMPT], { maxNewTokens: NEW, stopIds: [], returnLogits: true });
      expect(fast!.tokenIds).toEqual(cpu!.tokenIds);
      for (let s = 0; s < NEW; s++) expect(maxAbsDiff(fast!.logits![s]!, cpu!.logits![s]!)).toBeLessThan(1e-4);
    } finally {
      cpuModel.dispose();
      await initBackend('native', { log: false });
    }
  });
});
