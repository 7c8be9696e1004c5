import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoraAdapter, loraAInit } from '../../src/lora/lora-adapter';
import { LoraConfigError, moduleTarget, resolveLoraConfig } from '../../src/lora/lora-config';
import { maxAbsDiff, randu, useCpu } from '../training/helpers';

beforeAll(useCpu);

describe('LoraAdapter', () => {
  it('initialises A kaiming-uniform-like (seeded) and B to zeros, so the fresh delta is 0', () => {
    const ad = new LoraAdapter('m.q_proj', 16, 8, { r: 4, alpha: 8, dropout: 0, seed: 1 });
    expect(ad.a.shape).toEqual([16, 4]);
    expect(ad.b.shape).toEqual([4, 8]);
    const a = ad.a.dataSync();
    const bound = 1 / Math.sqrt(16);
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(bound * 0.8);
    expect(Array.from(a)).toEqual(Array.from(loraAInit(16, 4, 1, 'm.q_proj')));
    expect(Array.from(loraAInit(16, 4, 2, 'm.q_proj'))).not.toEqual(Array.from(a));
    expect(Array.from(loraAInit(16, 4, 1, 'm.k_proj'))).not.toEqual(Array.from(a));
    const x = randu([3, 16], 3);
    const d = ad.delta(x as tf.Tensor2D, false);
    expect(d.shape).toEqual([3, 8]);
    expect(maxAbsDiff(d, tf.zeros([3, 8]))).toBe(0);
    tf.dispose([x, d]);
    ad.dispose();
  });

  it('computes (alpha/r) x A B, and scale A B as the dense update', () => {
    const ad = new LoraAdapter('m.v_proj', 5, 3, { r: 2, alpha: 6, dropout: 0, seed: 4 });
    ad.b.assign(randu([2, 3], 9) as tf.Tensor2D);
    expect(ad.scale).toBe(3);
    const x = randu([4, 5], 8) as tf.Tensor2D;
    const ref = tf.mul(tf.matMul(tf.matMul(x, ad.a as tf.Tensor2D), ad.b as tf.Tensor2D), 3);
    const d = ad.delta(x, false);
    expect(maxAbsDiff(d, ref)).toBeLessThan(1e-6);
    const dw = ad.deltaWeight();
    expect(maxAbsDiff(tf.matMul(x, dw), ref)).toBeLessThan(1e-5);
    tf.dispose([x, ref, d, dw]);
    ad.dispose();
  });

  it('applies seeded inverted dropout only in training, with a new mask per call', () => {
    const mk = (): LoraAdapter => {
      const ad = new LoraAdapter('m.o_proj', 64, 4, { r: 2, alpha: 2, dropout: 0.5, seed: 7 });
      ad.b.assign(tf.ones([2, 4]));
      return ad;
    };
    const a1 = mk();
    const a2 = mk();
    const x = tf.ones([1, 64]) as tf.Tensor2D;
    const evalOut = a1.delta(x, false);
    const t1 = a1.delta(x, true);
    const t2 = a1.delta(x, true);
    expect(a1.dropoutCalls).toBe(2);
    expect(maxAbsDiff(t1, evalOut)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(t1, t2)).toBeGreaterThan(1e-3);
    // same seed and counter → same masks
    expect(maxAbsDiff(a2.delta(x, true), t1)).toBe(0);
    a2.dropoutCalls = 1;
    expect(maxAbsDiff(a2.delta(x, true), t2)).toBe(0);
    tf.dispose([x, evalOut, t1, t2]);
    a1.dispose();
    a2.dispose();
  });

  it('rejects bad shapes', () => {
    const ad = new LoraAdapter('m.q_proj', 4, 4, { r: 1, alpha: 1, dropout: 0, seed: 0 });
    const x = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => ad.delta(x, false)).toThrow(/\[N, 4\].*\[2, 3\]/);
    expect(() => new LoraAdapter('m', 4, 4, { r: 0, alpha: 1, dropout: 0, seed: 0 })).toThrow(/options\.r/);
    x.dispose();
    ad.dispose();
  });
});

describe('LoRA config', () => {
  it('normalises targets and maps module names (MoE experts w1/w3/w2 → gate/up/down; router excluded)', () => {
    const c = resolveLoraConfig({ r: 4, targetModules: ['v_proj', 'q', 'w1', 'down_proj'] });
    expect(c).toEqual({ r: 4, alpha: 4, dropout: 0, seed: 0, targetModules: ['q', 'v', 'gate', 'down'] });
    expect(moduleTarget('model.layers.0.self_attn.q_proj')).toBe('q');
    expect(moduleTarget('model.layers.3.mlp.down_proj')).toBe('down');
    expect(moduleTarget('model.layers.1.block_sparse_moe.experts.2.w1')).toBe('gate');
    expect(moduleTarget('model.layers.1.block_sparse_moe.experts.2.w3')).toBe('up');
    expect(moduleTarget('model.layers.1.block_sparse_moe.experts.2.w2')).toBe('down');
    expect(moduleTarget('model.layers.1.block_sparse_moe.gate')).toBeUndefined();
    expect(moduleTarget('lm_head')).toBeUndefined();
  });

  it('rejects invalid fields by name', () => {
    expect(() => resolveLoraConfig({ r: 0 })).toThrow(LoraConfigError);
    expect(() => resolveLoraConfig({ r: 2, dropout: 1 })).toThrow(/dropout/);
    expect(() => resolveLoraConfig({ r: 2, alpha: -1 })).toThrow(/alpha/);
    expect(() => resolveLoraConfig({ r: 2, targetModules: ['lm_head'] })).toThrow(/targetModules.*lm_head/);
  });
});
