import { describe, expect, it } from 'vitest';
import { hfTensorSpecs, isLinearWeight, modelShape, transpose2d } from '../../src/checkpoint/hf-llama';
import type { LlamaConfig } from '../../src/config';

const base: LlamaConfig = { vocabSize: 97, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 48, maxSeqLen: 64 };

describe('isLinearWeight', () => {
  it('classifies HF names', () => {
    for (const n of [
      'model.layers.0.self_attn.q_proj.weight',
      'model.layers.11.self_attn.o_proj.weight',
      'model.layers.3.mlp.down_proj.weight',
      'model.layers.0.block_sparse_moe.gate.weight',
      'model.layers.1.block_sparse_moe.experts.7.w2.weight',
      'lm_head.weight',
    ]) {
      expect(isLinearWeight(n), n).toBe(true);
    }
    for (const n of [
      'model.embed_tokens.weight',
      'model.norm.weight',
      'model.layers.0.input_layernorm.weight',
      'model.layers.0.post_attention_layernorm.weight',
      'model.layers.0.self_attn.q_proj.bias',
      'model.layers.0.self_attn.rotary_emb.inv_freq',
      'x.lm_head.weight',
    ]) {
      expect(isLinearWeight(n), n).toBe(false);
    }
  });
});

describe('hfTensorSpecs', () => {
  it('lists every Llama tensor with its HF ([out, in]) shape', () => {
    const specs = hfTensorSpecs(base);
    expect(specs).toHaveLength(1 + 2 * 9 + 2);
    const byName = new Map(specs.map((s) => [s.name, s]));
    expect(byName.get('model.embed_tokens.weight')).toEqual({ name: 'model.embed_tokens.weight', shape: [97, 32], linear: false });
    expect(byName.get('model.layers.1.self_attn.q_proj.weight')!.shape).toEqual([32, 32]);
    expect(byName.get('model.layers.1.self_attn.k_proj.weight')).toEqual({ name: 'model.layers.1.self_attn.k_proj.weight', shape: [16, 32], linear: true });
    expect(byName.get('model.layers.1.self_attn.v_proj.weight')!.shape).toEqual([16, 32]);
    expect(byName.get('model.layers.0.mlp.gate_proj.weight')!.shape).toEqual([48, 32]);
    expect(byName.get('model.layers.0.mlp.down_proj.weight')!.shape).toEqual([32, 48]);
    expect(byName.get('model.layers.0.input_layernorm.weight')!.shape).toEqual([32]);
    expect(byName.get('model.norm.weight')!.shape).toEqual([32]);
    expect(byName.get('lm_head.weight')).toEqual({ name: 'lm_head.weight', shape: [97, 32], linear: true });
    expect(specs[0]!.name).toBe('model.embed_tokens.weight');
    expect(specs.at(-1)!.name).toBe('lm_head.weight');
  });

  it('omits lm_head with tied embeddings and uses numHeads when numKvHeads is absent', () => {
    const specs = hfTensorSpecs({ ...base, numKvHeads: undefined, tieEmbeddings: true });
    expect(specs.some((s) => s.name === 'lm_head.weight')).toBe(false);
    expect(specs.find((s) => s.name === 'model.layers.0.self_attn.k_proj.weight')!.shape).toEqual([32, 32]);
  });

  it('lists Mixtral MoE tensors instead of the MLP', () => {
    const specs = hfTensorSpecs({ ...base, numLayers: 1, moe: { numExperts: 3, topK: 2 } });
    const names = specs.map((s) => s.name);
    expect(names.some((n) => n.includes('.mlp.'))).toBe(false);
    expect(specs.find((s) => s.name === 'model.layers.0.block_sparse_moe.gate.weight')!.shape).toEqual([3, 32]);
    expect(specs.find((s) => s.name === 'model.layers.0.block_sparse_moe.experts.2.w1.weight')!.shape).toEqual([48, 32]);
    expect(specs.find((s) => s.name === 'model.layers.0.block_sparse_moe.experts.2.w2.weight')!.shape).toEqual([32, 48]);
    expect(specs.find((s) => s.name === 'model.layers.0.block_sparse_moe.experts.0.w3.weight')!.shape).toEqual([48, 32]);
    expect(names.filter((n) => n.includes('experts'))).toHaveLength(9);
    expect(specs.every((s) => s.linear === isLinearWeight(s.name))).toBe(true);
  });

  it('rejects an invalid config', () => {
    expect(() => hfTensorSpecs({ ...base, numKvHeads: 3 })).toThrow(/numKvHeads/);
  });
});

describe('modelShape / transpose2d', () => {
  it('reverses linear shapes only', () => {
    expect(modelShape('model.layers.0.mlp.up_proj.weight', [48, 32])).toEqual([32, 48]);
    expect(modelShape('model.embed_tokens.weight', [97, 32])).toEqual([97, 32]);
  });

  it('transposes row-major matrices', () => {
    const m = Float32Array.from([1, 2, 3, 4, 5, 6]); // [[1,2,3],[4,5,6]]
    expect(Array.from(transpose2d(m, 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(transpose2d(transpose2d(m, 2, 3), 3, 2)).toEqual(m);
    expect(transpose2d(Int32Array.from([1, 2]), 1, 2)).toBeInstanceOf(Int32Array);
    expect(() => transpose2d(m, 4, 2)).toThrow(/6 elements, expected 4x2/);
  });
});
