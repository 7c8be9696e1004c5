import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LlamaConfig } from '../../src/config';
import { KVCache, Linear, LlamaModel, moeForward, topKSelection, type MlpProjections } from '../../src/decoder/index';
import { BACKENDS, maxAbsDiff, randomIds, referenceLogits, useBackend } from './reference';

const MOE: LlamaConfig = {
  vocabSize: 32,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 12,
  maxSeqLen: 32,
  initStd: 0.2,
  moe: { numExperts: 4, topK: 2 },
};

function ids2d(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows, [rows.length, rows[0]!.length], 'int32');
}

describe('topKSelection', () => {
  it('picks the k largest per row, ties to the lower index', () => {
    const probs = Float32Array.from([0.1, 0.4, 0.4, 0.1, 0.7, 0.1, 0.1, 0.1]);
    const { selected, rows } = topKSelection(probs, 2, 4, 2);
    expect(Array.from(selected)).toEqual([0, 1, 1, 0, 1, 1, 0, 0]);
    expect(rows).toEqual([[1], [0, 1], [0], []]);
  });
});

for (const backend of BACKENDS) {
  describe(`MoE on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it('has Mixtral weight names and shapes, and the parameter formula', () => {
      const m = new LlamaModel(MOE, { seed: 1 });
      expect(m.weights.get('model.layers.1.block_sparse_moe.gate.weight')!.shape).toEqual([16, 4]);
      expect(m.weights.get('model.layers.1.block_sparse_moe.experts.3.w1.weight')!.shape).toEqual([16, 12]);
      expect(m.weights.get('model.layers.1.block_sparse_moe.experts.3.w3.weight')!.shape).toEqual([16, 12]);
      expect(m.weights.get('model.layers.1.block_sparse_moe.experts.3.w2.weight')!.shape).toEqual([12, 16]);
      expect(m.weights.has('model.layers.0.mlp.gate_proj.weight')).toBe(false);
      // embed 512 + 2 × (norms 32 + attn 4·256 + router 64 + 4 experts · 3·192) + norm 16 + head 512
      expect(m.parameterCount()).toBe(512 + 2 * (32 + 1024 + 64 + 4 * 576) + 16 + 512);
      m.dispose();
    });

    it('sparse dispatch matches a dense float64 reference of top-k routing', () => {
      for (const moe of [{ numExperts: 4, topK: 2 }, { numExperts: 3, topK: 1 }, { numExperts: 2, topK: 2 }]) {
        const m = new LlamaModel({ ...MOE, moe }, { seed: 2 });
        const ids = randomIds(2, 6, 32, 5);
        const input = ids2d(ids);
        const out = m.forward(input);
        const got = out.logits.arraySync() as number[][][];
        for (let b = 0; b < 2; b++) expect(maxAbsDiff(got[b], referenceLogits(m, ids[b]!)), JSON.stringify(moe)).toBeLessThan(1e-4);
        // every token is counted topK times in every layer
        expect(out.expertCounts!.length).toBe(2);
        for (const layer of out.expertCounts!) expect(layer.reduce((a, c) => a + c, 0)).toBe(2 * 6 * moe.topK);
        tf.dispose([input, out.logits, out.auxLoss!, out.zLoss!]);
        m.dispose();
      }
    });

    it('computes the load-balancing and z losses and counts from the router', () => {
      const n = 10;
      const d = 8;
      const e = 4;
      const k = 2;
      const xv = randomIds(n, d, 1000, 3).map((r) => r.map((v) => v / 500 - 1));
      const wv = randomIds(d, e, 1000, 4).map((r) => r.map((v) => v / 500 - 1));
      const x = tf.tensor2d(xv);
      const router = new Linear('router', tf.variable(tf.tensor2d(wv), true, `router-${backend}`));
      const experts: MlpProjections[] = [];
      for (let j = 0; j < e; j++) {
        const lin = (name: string, shape: [number, number]) =>
          new Linear(name, tf.variable(tf.randomNormal(shape, 0, 0.3, 'float32', 10 + j), true, `${name}-${j}-${backend}`));
        experts.push({ gate: lin('w1', [d, 6]), up: lin('w3', [d, 6]), down: lin('w2', [6, d]) });
      }
      const ctx = { training: false, adaptersEnabled: true };
      const tokenMask = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
      for (const mask of [undefined, tokenMask]) {
        const out = moeForward(x, { router, experts, topK: k }, ctx, mask);
        // reference in float64 over the real tokens
        const real = xv.map((_, i) => i).filter((i) => mask === undefined || mask[i] === 1);
        const counts = new Array(e).fill(0);
        const pMean = new Array(e).fill(0);
        let z = 0;
        for (const i of real) {
          const logits = wv[0]!.map((_, c) => xv[i]!.reduce((s, val, r) => s + val * wv[r]![c]!, 0));
          const mx = Math.max(...logits);
          const lse = mx + Math.log(logits.reduce((s, l) => s + Math.exp(l - mx), 0));
          z += lse * lse;
          const p = logits.map((l) => Math.exp(l - lse));
          p.forEach((pv, c) => (pMean[c] += pv / real.length));
          p.map((_, c) => c)
            .sort((a, b) => p[b]! - p[a]! || a - b)
            .slice(0, k)
            .forEach((c) => counts[c]++);
        }
        const aux = e * counts.reduce((s, c, j) => s + (c / (real.length * k)) * pMean[j], 0);
        expect(out.counts).toEqual(counts);
        expect(out.counts.reduce((a, b) => a + b, 0)).toBe(real.length * k);
        expect(out.auxLoss.dataSync()[0]).toBeCloseTo(aux, 4);
        expect(out.zLoss.dataSync()[0]).toBeCloseTo(z / real.length, 3);
        tf.dispose([out.output, out.auxLoss, out.zLoss]);
      }
      tf.dispose([x, router.weight, ...experts.flatMap((p) => [p.gate.weight, p.up.weight, p.down.weight])]);
    });

    it('is near-balanced at init (aux ≈ 1), adds the weighted losses, and sends gradients to the router', () => {
      const cfg: LlamaConfig = { ...MOE, initStd: 0.02 };
      const m = new LlamaModel(cfg, { seed: 3 });
      const input = ids2d(randomIds(4, 8, 32, 7));
      const out = m.loss(input, input);
      const aux = out.auxLoss!.dataSync()[0]!;
      // with near-uniform router probabilities P_e ≈ 1/E, aux = E Σ f_e P_e ≈ Σ f_e = 1; routing follows the
      // larger probabilities, so it sits at or slightly above 1
      expect(aux).toBeGreaterThanOrEqual(0.999);
      expect(aux).toBeLessThan(1.05);
      // logits ≈ 0 at this init: lse ≈ log E
      expect(out.zLoss!.dataSync()[0]).toBeCloseTo(Math.log(4) ** 2, 1);
      const total = out.lmLoss.dataSync()[0]! + 0.01 * aux + 0.001 * out.zLoss!.dataSync()[0]!;
      expect(out.loss.dataSync()[0]).toBeCloseTo(total, 5);

      const router = m.weights.get('model.layers.0.block_sparse_moe.gate.weight')!;
      const { value, grads } = tf.variableGrads(() => m.loss(input, input).loss);
      const g = grads[router.name]!;
      expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(1e-6);
      // the aux loss alone also reaches the router
      const auxGrads = tf.variableGrads(() => m.forward(input).auxLoss!, [router]);
      expect(tf.max(tf.abs(auxGrads.grads[router.name]!)).dataSync()[0]).toBeGreaterThan(1e-6);
      tf.dispose([value, ...Object.values(grads), auxGrads.value, ...Object.values(auxGrads.grads)]);
      m.dispose();
    });

    it('gives an expert no token chose a zero gradient instead of none', () => {
      const m = new LlamaModel({ ...MOE, numLayers: 1, moe: { numExperts: 8, topK: 1 } }, { seed: 4 });
      const input = ids2d([[1, 2, 3]]);
      const out = m.forward(input);
      const unused = out.expertCounts![0]!.findIndex((c) => c === 0);
      expect(unused).toBeGreaterThanOrEqual(0);
      const { value, grads } = tf.variableGrads(() => m.loss(input, input).loss);
      for (const w of ['w1', 'w2', 'w3']) {
        const name = `model.layers.0.block_sparse_moe.experts.${unused}.${w}.weight`;
        const gr = grads[m.weights.get(name)!.name];
        expect(gr, name).toBeDefined();
        expect(tf.max(tf.abs(gr!)).dataSync()[0]).toBe(0);
      }
      tf.dispose([value, ...Object.values(grads), out.logits, out.auxLoss!, out.zLoss!, input]);
      m.dispose();
    });

    it('cached decoding and left padding give the uncached logits; padding is not counted', () => {
      const m = new LlamaModel(MOE, { seed: 5 });
      const ids = randomIds(1, 7, 32, 9);
      const full = m.forward(ids2d(ids)).logits.arraySync() as number[][][];
      const cache = KVCache.empty(2);
      m.forward(ids2d([ids[0]!.slice(0, 4)]), { cache });
      for (let t = 4; t < 7; t++) {
        const step = m.forward(ids2d([[ids[0]![t]!]]), { cache }).logits.arraySync() as number[][][];
        expect(maxAbsDiff(step[0]![0], full[0]![t])).toBeLessThan(1e-4);
      }
      cache.dispose();
      const padded = m.forward(ids2d([[0, 0, ...ids[0]!]]), { attentionMask: tf.tensor2d([[0, 0, 1, 1, 1, 1, 1, 1, 1]], [1, 9], 'int32') });
      const pl = padded.logits.arraySync() as number[][][];
      expect(maxAbsDiff(pl[0]![8], full[0]![6])).toBeLessThan(1e-4);
      for (const layer of padded.expertCounts!) expect(layer.reduce((a, c) => a + c, 0)).toBe(7 * 2);
      m.dispose();
    });

    it('leaks no tensors over MoE training steps', () => {
      const m = new LlamaModel(MOE, { seed: 6 });
      const input = ids2d(randomIds(2, 6, 32, 2));
      const step = () => {
        const { value, grads } = tf.variableGrads(() => m.loss(input, input).loss);
        tf.dispose([value, ...Object.values(grads)]);
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      const o = tf.tidy(() => m.forward(input).expertCounts);
      expect(o!.length).toBe(2);
      expect(tf.memory().numTensors).toBe(before);
      input.dispose();
      m.dispose();
    });
  });
}
