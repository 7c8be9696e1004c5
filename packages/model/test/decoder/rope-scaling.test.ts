import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, ConfigError, type LlamaConfig } from '../../src/config';
import { hfTensorSpecs } from '../../src/checkpoint/hf-llama';
import { LlamaModel, countParameters } from '../../src/decoder/llama';
import { dynamicInvFreqTensor, ropeParameters, type RopeBase } from '../../src/decoder/rope-scaling';

const base: RopeBase = { headDim: 16, theta: 10000, maxPositions: 64 };
const plain = (): Float32Array => ropeParameters(undefined, base).invFreq;
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

beforeAll(async () => {
  await initBackend('cpu', { log: false });
});

describe('ropeParameters (transformers modeling_rope_utils)', () => {
  it('default: 1 / theta^(2i/Dh), scaling 1', () => {
    const { invFreq, attentionScaling } = ropeParameters(undefined, base);
    expect(invFreq).toHaveLength(8);
    invFreq.forEach((f, i) => expect(rel(f, 10000 ** (-(2 * i) / 16))).toBeLessThan(1e-6));
    expect(attentionScaling).toBe(1);
  });

  it('linear divides every frequency by the factor', () => {
    const p = plain();
    ropeParameters({ type: 'linear', factor: 4 }, base).invFreq.forEach((f, i) => expect(rel(f, p[i]! / 4)).toBeLessThan(1e-6));
  });

  it('dynamic: default up to the original length, then a larger base from the current length', () => {
    const s = { type: 'dynamic', factor: 2, originalMaxPositions: 32 } as const;
    expect(ropeParameters(s, base, 32).invFreq).toEqual(plain());
    const at = (len: number): Float32Array => ropeParameters(s, base, len).invFreq;
    const grown = (2 * 50) / 32 - 1;
    const theta = 10000 * grown ** (16 / 14);
    at(50).forEach((f, i) => expect(rel(f, theta ** (-(2 * i) / 16))).toBeLessThan(1e-6));
    expect(at(50)[0]).toBe(1); // i = 0 is theta^0 whatever the base
    expect(at(60)[7]!).toBeLessThan(at(50)[7]!); // longer sequence, lower frequencies
  });

  it('dynamic on the device (GPU backends) equals the host schedule', () => {
    const s = { type: 'dynamic', factor: 2, originalMaxPositions: 32 } as const;
    for (const last of [10, 31, 49, 80]) {
      const host = ropeParameters(s, base, last + 1).invFreq;
      const dev = tf.tidy(() => dynamicInvFreqTensor(s, base, tf.tensor2d([[0, last, 3]], undefined, 'int32')).dataSync());
      host.forEach((f, i) => expect(rel(dev[i]!, f), `last ${last}, i ${i}`).toBeLessThan(2e-6));
    }
  });

  it('llama3: high frequencies kept, low ones divided by the factor, the band between smoothed', () => {
    const s = { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 } as const;
    const p = plain();
    const got = ropeParameters(s, base).invFreq;
    let kept = 0;
    let divided = 0;
    let smoothed = 0;
    p.forEach((f, i) => {
      const wavelen = (2 * Math.PI) / f;
      if (wavelen < 64 / 4) {
        expect(got[i]).toBeCloseTo(f, 7);
        kept++;
      } else if (wavelen > 64 / 1) {
        expect(rel(got[i]!, f / 8)).toBeLessThan(1e-6);
        divided++;
      } else {
        expect(got[i]!).toBeLessThan(f);
        expect(got[i]!).toBeGreaterThan(f / 8);
        smoothed++;
      }
    });
    expect([kept > 0, divided > 0, smoothed > 0]).toEqual([true, true, true]);
  });

  it('yarn: extrapolated below the correction range, interpolated above, mscale attention factor', () => {
    const p = plain();
    const s = { type: 'yarn', factor: 4 } as const;
    const { invFreq, attentionScaling } = ropeParameters(s, base);
    expect(attentionScaling).toBeCloseTo(0.1 * Math.log(4) + 1, 12);
    expect(invFreq[0]).toBeCloseTo(p[0]!, 7); // fastest: extrapolation
    expect(rel(invFreq[7]!, p[7]! / 4)).toBeLessThan(1e-6); // slowest: interpolation
    // explicit attention factor, and the mscale / mscale_all_dim ratio
    expect(ropeParameters({ ...s, attentionFactor: 1.3 }, base).attentionScaling).toBe(1.3);
    const ratio = (0.1 * 2 * Math.log(4) + 1) / (0.1 * 1 * Math.log(4) + 1);
    expect(ropeParameters({ ...s, mscale: 2, mscaleAllDim: 1 }, base).attentionScaling).toBeCloseTo(ratio, 12);
    // original_max_position_embeddings replaces the factor by maxPositions / original (transformers)
    expect(ropeParameters({ ...s, factor: 99, originalMaxPositions: 16 }, base)).toEqual(ropeParameters({ ...s, originalMaxPositions: 16 }, base));
    // truncate false moves the ramp ends off integers: a different schedule
    const untruncated = ropeParameters({ ...s, truncate: false, betaFast: 8, betaSlow: 2 }, base).invFreq;
    const truncated = ropeParameters({ ...s, betaFast: 8, betaSlow: 2 }, base).invFreq;
    expect(untruncated).not.toEqual(truncated);
  });
});

describe('LlamaModel with head_dim, biases, Qwen2/Qwen3 and rope scaling', () => {
  const tiny: LlamaConfig = { vocabSize: 23, hiddenSize: 16, numLayers: 2, numHeads: 2, numKvHeads: 1, intermediateSize: 20, maxSeqLen: 32 };
  const variants: [string, LlamaConfig][] = [
    ['head_dim 12', { ...tiny, headDim: 12 }],
    ['llama biases', { ...tiny, attentionBias: true, mlpBias: true }],
    ['qwen2', { ...tiny, architecture: 'qwen2', tieEmbeddings: true }],
    ['qwen3', { ...tiny, architecture: 'qwen3', headDim: 10, attentionBias: true }],
    ['mixtral', { ...tiny, moe: { numExperts: 3, topK: 2 } }],
  ];
  for (const [name, config] of variants) {
    it(`${name}: weights match the HF tensor specs and countParameters`, () => {
      const model = new LlamaModel(config, { seed: 3 });
      try {
        expect(model.parameterCount()).toBe(countParameters(config));
        const specs = hfTensorSpecs(config);
        expect([...model.weights.keys()].sort()).toEqual(specs.map((s) => s.name).sort());
        const out = tf.tidy(() => model.forward(tf.tensor2d([[1, 2, 3, 4]], undefined, 'int32')).logits.shape);
        expect(out).toEqual([1, 4, 23]);
      } finally {
        model.dispose();
      }
    });
  }

  it('dynamic scaling: explicit positions (a mask) and offsets give the same logits, beyond the original length too', () => {
    const model = new LlamaModel({ ...tiny, ropeScaling: { type: 'dynamic', factor: 2, originalMaxPositions: 8 } }, { seed: 4 });
    try {
      const ids = Array.from({ length: 20 }, (_, i) => (i * 7) % 23);
      const [a, b] = tf.tidy(() => {
        const x = tf.tensor2d([ids], undefined, 'int32');
        return [
          model.forward(x).logits.dataSync(),
          model.forward(x, { attentionMask: tf.ones([1, 20], 'int32') as tf.Tensor2D }).logits.dataSync(),
        ];
      });
      let d = 0;
      for (let i = 0; i < a!.length; i++) d = Math.max(d, Math.abs(a![i]! - b![i]!));
      expect(d).toBeLessThan(1e-5);
    } finally {
      model.dispose();
    }
  });

  it('rejects invalid combinations with a ConfigError naming the field', () => {
    const bad: [LlamaConfig, string][] = [
      [{ ...tiny, headDim: 9 }, 'headDim'],
      [{ ...tiny, hiddenSize: 15 }, 'hiddenSize'],
      [{ ...tiny, architecture: 'qwen2', attentionBias: true }, 'attentionBias'],
      [{ ...tiny, architecture: 'qwen3', mlpBias: true }, 'mlpBias'],
      [{ ...tiny, architecture: 'gpt2' as 'llama' }, 'architecture'],
      [{ ...tiny, architecture: 'qwen2', moe: { numExperts: 2, topK: 1 } }, 'moe'],
      [{ ...tiny, ropeScaling: { type: 'linear', factor: 0 } }, 'ropeScaling.factor'],
      [{ ...tiny, ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 4, highFreqFactor: 1, originalMaxPositions: 8 } }, 'ropeScaling.highFreqFactor'],
      [{ ...tiny, ropeScaling: { type: 'dynamic', factor: 2, originalMaxPositions: 0 } }, 'ropeScaling.originalMaxPositions'],
      [{ ...tiny, ropeScaling: { type: 'longrope', factor: 2 } as never }, 'ropeScaling.type'],
      [{ ...tiny, eosTokenIds: [] }, 'eosTokenIds'],
      [{ ...tiny, eosTokenId: 3, eosTokenIds: [4, 3] }, 'eosTokenId'],
    ];
    for (const [config, field] of bad) {
      let caught: unknown;
      try {
        resolveConfig(config);
      } catch (e) {
        caught = e;
      }
      expect(caught, field).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).field).toBe(field);
    }
  });
});
