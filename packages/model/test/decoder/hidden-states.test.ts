import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LlamaConfig } from '../../src/config';
import { LlamaModel, ModelInputError } from '../../src/decoder/index';
import { BACKENDS, maxAbsDiff, randomIds, useBackend } from './reference';

const TINY: LlamaConfig = {
  vocabSize: 40,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  intermediateSize: 24,
  maxSeqLen: 32,
  initStd: 0.2,
};

const MOE: LlamaConfig = { ...TINY, moe: { numExperts: 3, topK: 2 } };

/** `[B, T, D]` hidden states times the LM head matrix `[D, V]` (the embedding transposed when tied). */
function project(model: LlamaModel, h: tf.Tensor3D): tf.Tensor3D {
  const [b, t, d] = h.shape;
  return tf.tidy(() => {
    const flat = tf.reshape(h, [b * t, d]) as tf.Tensor2D;
    const y = model.config.tieEmbeddings
      ? tf.matMul(flat, model.weights.get('model.embed_tokens.weight')! as tf.Tensor2D, false, true)
      : tf.matMul(flat, model.weights.get('lm_head.weight')! as tf.Tensor2D);
    return tf.reshape(y, [b, t, model.config.vocabSize]) as tf.Tensor3D;
  });
}

/** Deterministic pseudo-random values in [-1, 1). */
function fixedValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

for (const backend of BACKENDS) {
  describe(`LlamaModel.hiddenStates on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    for (const [label, config] of [
      ['untied', { ...TINY, tieEmbeddings: false }],
      ['tied', { ...TINY, tieEmbeddings: true }],
      ['MoE', MOE],
    ] as const) {
      it(`${label}: hiddenStates · W equals forward().logits, with and without a mask`, () => {
        const m = new LlamaModel(config, { seed: 3 });
        try {
          const ids = tf.tensor2d(randomIds(2, 7, 40, 11), [2, 7], 'int32');
          const mask = tf.tensor2d([[0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]], [2, 7], 'int32');
          for (const opts of [{}, { attentionMask: mask }]) {
            const h = m.hiddenStates(ids, opts);
            expect(h.shape).toEqual([2, 7, 16]);
            const out = m.forward(ids, opts);
            const viaHidden = project(m, h);
            const logits = out.logits.arraySync();
            expect(maxAbsDiff(viaHidden.arraySync(), logits)).toBeLessThan(1e-5);
            // not a vacuous comparison: the logits are far from zero and differ between positions
            expect(Math.max(...(logits as number[][][]).flat(2).map(Math.abs))).toBeGreaterThan(0.1);
            h.dispose();
            viaHidden.dispose();
            out.logits.dispose();
            out.auxLoss?.dispose();
            out.zLoss?.dispose();
          }
          // explicit positions give the same as the positions a mask implies
          const pos = tf.tensor2d([[0, 0, 0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5, 6]], [2, 7], 'int32');
          const a = m.hiddenStates(ids, { attentionMask: mask });
          const b = m.hiddenStates(ids, { attentionMask: mask, positions: pos });
          const gap = tf.tensor2d([[0, 0, 0, 1, 2, 9, 10], [0, 1, 2, 3, 4, 5, 6]], [2, 7], 'int32');
          const shifted = m.hiddenStates(ids, { attentionMask: mask, positions: gap });
          expect(maxAbsDiff(a.arraySync(), b.arraySync())).toBeLessThan(1e-6);
          expect(maxAbsDiff(a.arraySync(), shifted.arraySync())).toBeGreaterThan(1e-4); // relative positions matter (RoPE)
          tf.dispose([ids, mask, pos, gap, a, b, shifted]);
        } finally {
          m.dispose();
        }
      });
    }

    it('is differentiable: the gradient w.r.t. the final norm matches the analytic value, and reaches every trunk weight', () => {
      const m = new LlamaModel({ ...TINY, tieEmbeddings: false }, { seed: 5 });
      try {
        const ids = tf.tensor2d(randomIds(2, 5, 40, 2), [2, 5], 'int32');
        const r = tf.tensor3d(fixedValues(2 * 5 * 16, 9), [2, 5, 16]);
        const trunk = [...m.weights].filter(([k]) => k !== 'lm_head.weight');
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(m.hiddenStates(ids), r)) as tf.Scalar, trunk.map(([, v]) => v));
        expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
        // y = Σ (norm(h) ⊙ g) ⊙ r with g = 1 at init, so dy/dg_j = Σ_n H[n, j] · r[n, j]
        const h = m.hiddenStates(ids);
        const expected = tf.sum(tf.reshape(tf.mul(h, r), [10, 16]), 0);
        const normName = m.weights.get('model.norm.weight')!.name;
        expect(maxAbsDiff(grads[normName]!.arraySync(), expected.arraySync())).toBeLessThan(1e-4);
        for (const [k, v] of trunk) {
          const g = grads[v.name];
          expect(g, `no gradient for ${k}`).toBeDefined();
          expect(tf.max(tf.abs(g!)).dataSync()[0]!, `zero gradient for ${k}`).toBeGreaterThan(0);
        }
        tf.dispose([ids, r, value, h, expected, ...Object.values(grads)]);
      } finally {
        m.dispose();
      }
    });

    it('frees its intermediates and rejects bad inputs naming the argument', () => {
      const m = new LlamaModel(TINY, { seed: 1 });
      try {
        const ids = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
        const before = tf.memory().numTensors;
        const h = m.hiddenStates(ids);
        expect(tf.memory().numTensors).toBe(before + 1);
        h.dispose();
        const bad = tf.tensor2d([[1, 1]], [1, 2], 'int32');
        expect(() => m.hiddenStates(ids, { attentionMask: bad })).toThrow(ModelInputError);
        expect(() => m.hiddenStates(ids, { attentionMask: bad })).toThrow(/options\.attentionMask.*\[1, 2\]/);
        const f = tf.tensor2d([[1, 2]], [1, 2], 'float32');
        expect(() => m.hiddenStates(f as tf.Tensor2D)).toThrow(/inputIds: must be int32/);
        const far = tf.tensor2d([[1, 99]], [1, 2], 'int32');
        expect(() => m.hiddenStates(far)).toThrow(/outside the vocabulary/);
        tf.dispose([ids, bad, f, far]);
        expect(tf.memory().numTensors).toBe(before - 1);
      } finally {
        m.dispose();
      }
    });
  });
}
