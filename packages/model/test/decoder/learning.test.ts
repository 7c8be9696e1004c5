/**
 * Learning test: a ~90k-parameter model trained with the fused AdamW for 30 steps on one repeated sentence
 * must learn it well below the best context-free predictor, the unigram entropy of its targets (computed
 * here: ≈ 2.6 nats), by {@link MARGIN} nats (so attention over the context works), on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { adamw } from '@quarkmed/tensor-kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LlamaConfig } from '../../src/config';
import { LlamaModel } from '../../src/decoder/index';
import { BACKENDS, useBackend } from './reference';

const SENTENCE = 'the patient reports chest pain and mild fever. ';
const VOCAB = 64;
/** Nats the loss at step 30 must be below the unigram entropy of the targets. */
const MARGIN = 0.8;

/** Entropy (nats) of the empirical distribution of the targets (positions 1.. of every row: the shifted labels). */
function unigramEntropy(rows: number[][]): number {
  const counts = new Map<number, number>();
  let n = 0;
  for (const row of rows) {
    for (const id of row.slice(1)) counts.set(id, (counts.get(id) ?? 0) + 1);
    n += row.length - 1;
  }
  let h = 0;
  for (const c of counts.values()) h -= (c / n) * Math.log(c / n);
  return h;
}

/** Byte ids folded into the vocabulary, the sentence repeated to `len` tokens, one row per start offset. */
function batch(rows: number, len: number): number[][] {
  const ids = Array.from(SENTENCE, (ch) => ch.charCodeAt(0) % VOCAB);
  return Array.from({ length: rows }, (_, r) => Array.from({ length: len }, (_, t) => ids[(r * 5 + t) % ids.length]!));
}

const CONFIG: LlamaConfig = {
  vocabSize: VOCAB,
  hiddenSize: 64,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  intermediateSize: 128,
  maxSeqLen: 64,
  tieEmbeddings: false,
};

function train(config: LlamaConfig, steps: number, lr: number): number[] {
  const m = new LlamaModel(config, { seed: 42 });
  const vars = m.variables();
  let moments: { m: tf.Tensor; v: tf.Tensor }[] = vars.map((v) => ({ m: tf.zerosLike(v), v: tf.zerosLike(v) }));
  const rows = batch(4, 32);
  const input = tf.tensor2d(rows, [4, 32], 'int32');
  const losses: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const { value, grads } = tf.variableGrads(() => m.loss(input, input).loss);
    moments = vars.map((v, j) => {
      const s = adamw(v, grads[v.name]!, moments[j]!.m, moments[j]!.v, { lr, step, weightDecay: 0 });
      v.assign(s.param);
      tf.dispose([s.param, moments[j]!.m, moments[j]!.v]);
      return { m: s.m, v: s.v };
    });
    losses.push(value.dataSync()[0]!);
    tf.dispose([value, ...Object.values(grads)]);
  }
  tf.dispose([input, ...moments.flatMap((s) => [s.m, s.v])]);
  m.dispose();
  return losses;
}

for (const backend of BACKENDS) {
  describe(`learning on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it('learns a repeated sentence in 30 AdamW steps', () => {
      const params = new LlamaModel(CONFIG, { seed: 0 });
      const count = params.parameterCount();
      params.dispose();
      expect(count).toBeGreaterThan(80_000);
      expect(count).toBeLessThan(120_000);
      const losses = train(CONFIG, 30, 2e-2);
      // starts at ≈ ln(64) = 4.16 (near-uniform predictions at init)
      expect(losses[0]).toBeGreaterThan(3.9);
      expect(losses[0]).toBeLessThan(4.4);
      // Margin: a model that ignores context cannot go below the unigram entropy of the targets (≈ 2.6 nats);
      // we require MARGIN nats less at step 30 (≈ 1.25 is reached on cpu with this seed) and the last five
      // steps averaging under 40% of the initial loss.
      const unigram = unigramEntropy(batch(4, 32));
      expect(unigram).toBeGreaterThan(2.4);
      expect(losses[29]).toBeLessThan(unigram - MARGIN);
      const tail = losses.slice(25).reduce((a, b) => a + b, 0) / 5;
      expect(tail).toBeLessThan(0.4 * losses[0]!);
    });
  });
}
