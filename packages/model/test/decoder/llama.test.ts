import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LlamaConfig } from '../../src/config';
import { ConfigError } from '../../src/config';
import { KVCache, LlamaModel, ModelInputError, countParameters, type LinearAdapter } from '../../src/decoder/index';
import { BACKENDS, maxAbsDiff, randomIds, referenceLogits, useBackend } from './reference';

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

function ids2d(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows, [rows.length, rows[0]!.length], 'int32');
}

for (const backend of BACKENDS) {
  describe(`LlamaModel on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it('stores Hugging Face names with [in, out] linear weights, and counts parameters by the formula', () => {
      const m = new LlamaModel(TINY, { seed: 1 });
      try {
        const shape = (n: string) => m.weights.get(n)?.shape;
        expect(shape('model.embed_tokens.weight')).toEqual([40, 16]);
        expect(shape('model.layers.1.self_attn.q_proj.weight')).toEqual([16, 16]);
        expect(shape('model.layers.1.self_attn.k_proj.weight')).toEqual([16, 8]); // 2 kv heads × Dh 4
        expect(shape('model.layers.1.self_attn.v_proj.weight')).toEqual([16, 8]);
        expect(shape('model.layers.1.self_attn.o_proj.weight')).toEqual([16, 16]);
        expect(shape('model.layers.0.mlp.gate_proj.weight')).toEqual([16, 24]);
        expect(shape('model.layers.0.mlp.up_proj.weight')).toEqual([16, 24]);
        expect(shape('model.layers.0.mlp.down_proj.weight')).toEqual([24, 16]);
        expect(shape('model.layers.0.input_layernorm.weight')).toEqual([16]);
        expect(shape('model.layers.0.post_attention_layernorm.weight')).toEqual([16]);
        expect(shape('model.norm.weight')).toEqual([16]);
        expect(shape('lm_head.weight')).toEqual([16, 40]);
        expect(m.weights.size).toBe(1 + 2 * 9 + 1 + 1);
        // embed 640 + per layer (norms 32 + q 256 + k 128 + v 128 + o 256 + mlp 3·384) + norm 16 + head 640
        const expected = 640 + 2 * (32 + 256 + 128 + 128 + 256 + 1152) + 16 + 640;
        expect(m.parameterCount()).toBe(expected);
        expect(countParameters(TINY)).toBe(expected);
        expect(countParameters({ ...TINY, tieEmbeddings: true })).toBe(expected - 640);
        expect([...m.linears().keys()]).toContain('model.layers.0.self_attn.q_proj');
        expect(m.linears().get('lm_head')!.weight).toBe(m.weights.get('lm_head.weight'));
        expect(m.weights.get('model.norm.weight')!.name).toBe('model.norm.weight');
      } finally {
        m.dispose();
      }
    });

    it('initialises deterministically from the seed with Llama/GPT-2 scales', () => {
      const cfg: LlamaConfig = { ...TINY, hiddenSize: 64, intermediateSize: 128, numLayers: 4, initStd: 0.02 };
      const a = new LlamaModel(cfg, { seed: 7 });
      const b = new LlamaModel(cfg, { seed: 7 });
      const c = new LlamaModel(cfg, { seed: 8 });
      try {
        // a second live model with the same names gets suffixed variable names; the map keys are unchanged
        expect(b.weights.get('model.norm.weight')!.name).not.toBe('model.norm.weight');
        for (const [name, w] of a.weights) {
          expect(Array.from(b.weights.get(name)!.dataSync()), name).toEqual(Array.from(w.dataSync()));
        }
        const q = 'model.layers.0.self_attn.q_proj.weight';
        expect(maxAbsDiff(Array.from(a.weights.get(q)!.dataSync()), Array.from(c.weights.get(q)!.dataSync()))).toBeGreaterThan(0.01);
        // tensors get distinct streams
        const k = 'model.layers.0.self_attn.k_proj.weight';
        expect(Array.from(a.weights.get(q)!.dataSync()).slice(0, 8)).not.toEqual(Array.from(a.weights.get(k)!.dataSync()).slice(0, 8));
        const std = (n: string) => {
          const d = Array.from(a.weights.get(n)!.dataSync() as Float32Array);
          const mean = d.reduce((s, v) => s + v, 0) / d.length;
          return Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
        };
        expect(std('model.layers.0.mlp.gate_proj.weight')).toBeCloseTo(0.02, 3);
        expect(std('model.embed_tokens.weight')).toBeCloseTo(0.02, 3);
        const residual = 0.02 / Math.sqrt(8);
        expect(Math.abs(std('model.layers.3.mlp.down_proj.weight') / residual - 1)).toBeLessThan(0.05);
        expect(Math.abs(std('model.layers.2.self_attn.o_proj.weight') / residual - 1)).toBeLessThan(0.08);
        expect(Array.from(a.weights.get('model.layers.1.input_layernorm.weight')!.dataSync())).toEqual(new Array(64).fill(1));
      } finally {
        a.dispose();
        b.dispose();
        c.dispose();
      }
    });

    it('matches an independent float64 reference forward (GQA, untied and tied)', () => {
      for (const cfg of [TINY, { ...TINY, tieEmbeddings: true, numKvHeads: 1, ropeTheta: 500 }]) {
        const m = new LlamaModel(cfg, { seed: 3 });
        try {
          const ids = randomIds(2, 7, cfg.vocabSize, 11);
          const input = ids2d(ids);
          const { logits } = m.forward(input);
          expect(logits.shape).toEqual([2, 7, cfg.vocabSize]);
          const got = logits.arraySync() as number[][][];
          for (let b = 0; b < 2; b++) {
            const ref = referenceLogits(m, ids[b]!);
            expect(maxAbsDiff(got[b], ref)).toBeLessThan(1e-4);
          }
          // the logits are not trivially small: the comparison means something
          expect(Math.max(...(got[0]![6] as number[]).map(Math.abs))).toBeGreaterThan(0.1);
          tf.dispose([logits, input]);
        } finally {
          m.dispose();
        }
      }
    });

    it('cached decoding equals the uncached forward (prefill T-3, then 3 single steps)', () => {
      for (const cfg of [TINY, { ...TINY, numKvHeads: 1 }, { ...TINY, numKvHeads: 4, tieEmbeddings: true }]) {
        const m = new LlamaModel(cfg, { seed: 5 });
        const ids = randomIds(2, 9, cfg.vocabSize, 21);
        const full = m.forward(ids2d(ids)).logits.arraySync() as number[][][];
        const cache = KVCache.empty(cfg.numLayers);
        const pre = m.forward(ids2d(ids.map((r) => r.slice(0, 6))), { cache });
        expect(cache.length).toBe(6);
        expect(cache.layers[0]!.k.shape).toEqual([2, cfg.numKvHeads ?? cfg.numHeads, 6, 4]);
        const preLogits = pre.logits.arraySync() as number[][][];
        expect(maxAbsDiff(preLogits, full.map((r) => r.slice(0, 6)))).toBeLessThan(1e-4);
        for (let t = 6; t < 9; t++) {
          const step = tf.tidy(() => m.forward(ids2d(ids.map((r) => [r[t]!])), { cache }).logits);
          const got = step.arraySync() as number[][][];
          expect(maxAbsDiff(got, full.map((r) => [r[t]]))).toBeLessThan(1e-4);
          step.dispose();
        }
        expect(cache.length).toBe(9);
        expect(cache.layers[1]!.v.shape[2]).toBe(9);
        cache.dispose();
        expect(cache.layers).toEqual([]);
        m.dispose();
      }
    });

    it('a left-padded ragged batch gives each row the logits it gets alone, also when decoding on', () => {
      const m = new LlamaModel(TINY, { seed: 9 });
      const pad = 0;
      const rows = [randomIds(1, 7, 40, 1, 1)[0]!, randomIds(1, 4, 40, 2, 1)[0]!];
      const next = [5, 17];
      const padded = rows.map((r) => [...new Array(7 - r.length).fill(pad), ...r]);
      const maskRows = rows.map((r) => [...new Array(7 - r.length).fill(0), ...new Array(r.length).fill(1)]);
      const cache = KVCache.empty(2);
      const mask = tf.tensor2d(maskRows, [2, 7], 'int32');
      const batch = m.forward(ids2d(padded), { cache, attentionMask: mask });
      const last = batch.logits.arraySync() as number[][][];
      // one decode step with the mask extended by a column of ones
      const mask2 = tf.tensor2d(maskRows.map((r) => [...r, 1]), [2, 8], 'int32');
      const step = m.forward(ids2d(next.map((x) => [x])), { cache, attentionMask: mask2 }).logits.arraySync() as number[][][];
      rows.forEach((r, b) => {
        const alone = m.forward(ids2d([[...r, next[b]!]])).logits.arraySync() as number[][][];
        expect(maxAbsDiff(last[b]![6], alone[0]![r.length - 1]), `row ${b} prefill`).toBeLessThan(1e-4);
        expect(maxAbsDiff(step[b]![0], alone[0]![r.length]), `row ${b} decode`).toBeLessThan(1e-4);
      });
      // a float or bool mask works the same
      const boolMask = tf.cast(mask, 'bool') as tf.Tensor2D;
      const viaBool = m.forward(ids2d(padded), { attentionMask: boolMask }).logits.arraySync() as number[][][];
      expect(maxAbsDiff(viaBool[1]![6], last[1]![6])).toBeLessThan(1e-6);
      cache.dispose();
      m.dispose();
    });

    it('explicit positions override the defaults', () => {
      const m = new LlamaModel(TINY, { seed: 2 });
      const ids = ids2d(randomIds(1, 5, 40, 3));
      const base = m.forward(ids).logits.arraySync();
      const same = m.forward(ids, { positions: tf.tensor2d([[0, 1, 2, 3, 4]], [1, 5], 'int32') }).logits.arraySync();
      const shifted = m.forward(ids, { positions: tf.tensor1d([10, 11, 12, 13, 14], 'int32') }).logits.arraySync();
      expect(maxAbsDiff(base, same)).toBeLessThan(1e-6);
      // RoPE is relative: a constant shift changes the logits only by rounding
      expect(maxAbsDiff(base, shifted)).toBeLessThan(1e-4);
      const scrambled = m.forward(ids, { positions: tf.tensor1d([0, 5, 1, 7, 2], 'int32') }).logits.arraySync();
      expect(maxAbsDiff(base, scrambled)).toBeGreaterThan(1e-3);
      m.dispose();
    });

    it('loss uses the Hugging Face shift and ignores -100; logProbs matches log_softmax of the logits', () => {
      const m = new LlamaModel(TINY, { seed: 4 });
      const ids = randomIds(2, 6, 40, 8);
      const input = ids2d(ids);
      const logits = m.forward(input).logits.arraySync() as number[][][];
      const logSoftmax = (row: number[], j: number) => {
        const mx = Math.max(...row);
        return row[j]! - mx - Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
      };
      const labels = ids.map((r) => r.slice());
      labels[0]![3] = -100;
      labels[1]![0] = 7; // position 0 is never a target
      let sum = 0;
      let count = 0;
      for (let b = 0; b < 2; b++) {
        for (let t = 0; t < 5; t++) {
          if (labels[b]![t + 1] === -100) continue;
          sum -= logSoftmax(logits[b]![t]!, labels[b]![t + 1]!);
          count++;
        }
      }
      const out = m.loss(input, ids2d(labels));
      expect(out.auxLoss).toBeUndefined();
      expect(out.lmLoss.dataSync()[0]).toBeCloseTo(sum / count, 4);
      expect(out.loss.dataSync()[0]).toBeCloseTo(sum / count, 4);

      const lp = m.logProbs(input);
      expect(lp.shape).toEqual([2, 5]);
      const lpv = lp.arraySync();
      for (let b = 0; b < 2; b++) for (let t = 0; t < 5; t++) expect(lpv[b]![t]).toBeCloseTo(logSoftmax(logits[b]![t]!, ids[b]![t + 1]!), 4);

      const mask = tf.tensor2d([[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]], [2, 6], 'int32');
      const lpm = m.logProbs(input, mask).arraySync();
      expect(Math.abs(lpm[0]![0]!)).toBe(0);
      expect(lpm[0]![1]).not.toBe(0);
      expect(maxAbsDiff(lpm[1], lpv[1])).toBeLessThan(1e-5);
      m.dispose();
    });

    it('loss gradients agree with central finite differences (dense and MoE)', () => {
      for (const cfg of [TINY, { ...TINY, tieEmbeddings: true, moe: { numExperts: 3, topK: 2 } }]) {
        const m = new LlamaModel(cfg, { seed: 12 });
        const input = ids2d(randomIds(2, 5, 40, 13));
        const { value, grads } = tf.variableGrads(() => m.loss(input, input).loss);
        const names = ['model.embed_tokens.weight', 'model.layers.0.self_attn.q_proj.weight', 'model.layers.1.input_layernorm.weight'];
        if (cfg.moe) names.push('model.layers.0.block_sparse_moe.gate.weight', 'model.layers.1.block_sparse_moe.experts.1.w2.weight');
        else names.push('model.layers.1.mlp.down_proj.weight', 'lm_head.weight');
        const h = 1e-2;
        for (const name of names) {
          const w = m.weights.get(name)!;
          const g = grads[w.name]!.dataSync();
          const orig = Float32Array.from(w.dataSync());
          // the entry with the largest gradient (a well-conditioned check) and entry 1
          let big = 0;
          for (let i = 0; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[big]!)) big = i;
          for (const i of [big, 1]) {
            const at = (delta: number) => {
              const d = orig.slice();
              d[i] = d[i]! + delta;
              w.assign(tf.tensor(d, w.shape));
              return tf.tidy(() => m.loss(input, input).loss.dataSync()[0]!);
            };
            const fd = (at(h) - at(-h)) / (2 * h);
            w.assign(tf.tensor(orig, w.shape));
            expect(Math.abs(fd - g[i]!), `${name}[${i}]: fd ${fd} vs grad ${g[i]}`).toBeLessThan(2e-3 + 0.02 * Math.abs(g[i]!));
          }
        }
        tf.dispose([value, ...Object.values(grads), input]);
        m.dispose();
      }
    });

    it('adapters add their delta to a linear and can be switched off', () => {
      const m = new LlamaModel(TINY, { seed: 6 });
      const input = ids2d(randomIds(1, 4, 40, 5));
      const base = m.forward(input).logits.arraySync();
      const lin = m.linears().get('model.layers.0.self_attn.v_proj')!;
      const adapter: LinearAdapter = { delta: (x) => tf.mul(tf.matMul(x, tf.ones([16, 8])), 0.1) };
      lin.adapter = adapter;
      const withAdapter = m.forward(input).logits.arraySync();
      expect(maxAbsDiff(base, withAdapter)).toBeGreaterThan(1e-3);
      m.adaptersEnabled = false;
      expect(maxAbsDiff(base, m.forward(input).logits.arraySync())).toBe(0);
      m.dispose();
    });

    it('rejects bad inputs with ModelInputError naming the argument', () => {
      const m = new LlamaModel(TINY, { seed: 1 });
      const ok = ids2d([[1, 2, 3]]);
      const err = (f: () => unknown, arg: string, text: RegExp) => {
        let caught: unknown;
        try {
          f();
        } catch (e) {
          caught = e;
        }
        expect(caught, arg).toBeInstanceOf(ModelInputError);
        expect((caught as ModelInputError).argument).toBe(arg);
        expect((caught as Error).message).toMatch(text);
      };
      err(() => m.forward(tf.tensor2d([[1, 2]], [1, 2], 'float32')), 'inputIds', /int32/);
      err(() => m.forward(tf.tensor1d([1, 2], 'int32') as unknown as tf.Tensor2D), 'inputIds', /\[B, T\].*\[2\]/);
      err(() => m.forward(ids2d([[1, 40]])), 'inputIds', /id 40 .*\[0, 40\)/);
      err(() => m.forward(ids2d([[-1, 2]])), 'inputIds', /id -1/);
      err(() => m.forward(tf.zeros([1, 33], 'int32') as tf.Tensor2D), 'inputIds', /33.*maxSeqLen 32/);
      err(() => m.forward(ok, { attentionMask: tf.ones([1, 4]) as tf.Tensor2D }), 'options.attentionMask', /\[1, 4\].*\[1, 3\]/);
      err(() => m.forward(ok, { positions: tf.tensor1d([0, 1], 'int32') }), 'options.positions', /\[2\]/);
      err(() => m.loss(ok, ids2d([[1, 2]])), 'labels', /\[1, 2\].*\[1, 3\]/);
      err(() => m.loss(ids2d([[1]]), ids2d([[1]])), 'inputIds', /at least 2/);
      const cache = KVCache.empty(2);
      m.forward(tf.zeros([1, 30], 'int32') as tf.Tensor2D, { cache });
      err(() => m.forward(ids2d([[1, 2, 3]]), { cache }), 'inputIds', /33 \(cached 30 \+ new 3\).*maxSeqLen 32/);
      err(() => m.forward(ids2d([[1], [2]]), { cache }), 'options.cache', /batch size 1/);
      err(() => m.forward(ok, { cache: KVCache.empty(3) }), 'options.cache', /3 layers/);
      cache.dispose();
      expect(() => new LlamaModel({ ...TINY, numKvHeads: 3 })).toThrow(ConfigError);
      m.dispose();
    });

    it('leaks no tensors over training steps (variableGrads + adamw) and cached decoding', async () => {
      const { adamw } = await import('@quarkmed/tensor-kernels');
      const m = new LlamaModel(TINY, { seed: 1 });
      const vars = m.variables();
      let moments: { m: tf.Tensor; v: tf.Tensor }[] = vars.map((v) => ({ m: tf.zerosLike(v), v: tf.zerosLike(v) }));
      const input = ids2d(randomIds(2, 8, 40, 1));
      const step = (i: number) => {
        const { value, grads } = tf.variableGrads(() => m.loss(input, input).loss);
        moments = vars.map((v, j) => {
          const s = adamw(v, grads[v.name]!, moments[j]!.m, moments[j]!.v, { lr: 1e-3, step: i });
          v.assign(s.param);
          tf.dispose([s.param, moments[j]!.m, moments[j]!.v]);
          return { m: s.m, v: s.v };
        });
        tf.dispose([value, ...Object.values(grads)]);
      };
      step(1);
      const before = tf.memory().numTensors;
      for (let i = 2; i <= 6; i++) {
        step(i);
        expect(tf.memory().numTensors).toBe(before);
      }
      // inside tf.tidy too
      tf.tidy(() => {
        m.loss(input, input);
        m.logProbs(input);
      });
      expect(tf.memory().numTensors).toBe(before);

      const decode = () => {
        const cache = KVCache.empty(2);
        tf.tidy(() => {
          m.forward(input, { cache });
        });
        const perStep: number[] = [];
        for (let t = 0; t < 5; t++) {
          const ids = ids2d([[t + 1], [t + 2]]);
          const logits = m.forward(ids, { cache }).logits;
          tf.dispose([logits, ids]);
          perStep.push(tf.memory().numTensors);
        }
        cache.dispose();
        return perStep;
      };
      decode();
      const perStep = decode();
      expect(new Set(perStep).size).toBe(1); // the cache holds 2 tensors per layer, replaced each step
      expect(perStep[0]).toBe(before + 2 * 2); // 2 layers × {k, v}
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([input, ...moments.flatMap((s) => [s.m, s.v])]);
      m.dispose();
    });
  });
}
