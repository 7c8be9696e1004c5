/**
 * Real Hugging Face checkpoint variants against PyTorch: rope scaling (llama3, linear, dynamic, yarn), the
 * v5 rope_parameters layout, explicit head_dim, Llama biases, Qwen2 and Qwen3. The fixtures under
 * test/fixtures/hf-* were written by scripts/hf_reference.py (plain PyTorch, float64, written from the
 * transformers definitions); no Python runs here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/checkpoint/errors';
import { loadCheckpoint, readSafetensorsFile, saveCheckpoint } from '../../src/node/checkpoint';
import { ConfigError, fromHfConfig, resolveConfig, toHfConfig, type LlamaConfig } from '../../src/config';
import { LlamaModel } from '../../src/decoder/llama';
import { ModelError } from '../../src/error';

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../scripts/hf_reference.py', import.meta.url));
const PYTHON = '/usr/bin/python3';
/** Whether /usr/bin/python3 can import torch (CI installs python3-torch; elsewhere that check is skipped). */
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.warn('[hf-architectures.test] /usr/bin/python3 with torch not found: skipping the TypeScript -> PyTorch check');
/** Max |logit| difference against PyTorch (float64) for a float32 forward. */
const TOL = 1e-5;

const CASES = [
  'hf-llama3-rope',
  'hf-linear-rope',
  'hf-dynamic-rope',
  'hf-yarn-rope',
  'hf-yarn-attention-factor',
  'hf-rope-parameters',
  'hf-head-dim',
  'hf-llama-bias',
  'hf-qwen2',
  'hf-qwen3',
] as const;
type Case = (typeof CASES)[number];

interface Expected {
  ids: number[];
  logits: Float32Array;
  vocab: number;
  gen?: { prompt: number[]; tokens: number[]; logits: Float32Array; fullLogits: Float32Array };
}

const expectedCache = new Map<Case, Expected>();
async function expectedOf(c: Case): Promise<Expected> {
  const hit = expectedCache.get(c);
  if (hit) return hit;
  const { tensors } = await readSafetensorsFile(join(FIXTURES, c, 'expected.safetensors'));
  const get = (n: string) => tensors.get(n)!;
  const logits = get('logits');
  const e: Expected = { ids: Array.from(get('input_ids').data), logits: logits.data as Float32Array, vocab: logits.shape[2]! };
  if (tensors.has('gen_tokens')) {
    e.gen = {
      prompt: Array.from(get('gen_prompt').data),
      tokens: Array.from(get('gen_tokens').data),
      logits: get('gen_logits').data as Float32Array,
      fullLogits: get('gen_full_logits').data as Float32Array,
    };
  }
  expectedCache.set(c, e);
  return e;
}

function hfJson(c: Case): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, c, 'config.json'), 'utf8')) as Record<string, unknown>;
}

const models: LlamaModel[] = [];
function track(m: LlamaModel): LlamaModel {
  models.push(m);
  return m;
}
let root: string;
let n = 0;
const freshDir = (): string => join(root, `d${n++}`);

beforeAll(async () => {
  await initBackend('cpu', { log: false });
  root = mkdtempSync(join(tmpdir(), 'qm-hf-arch-'));
});
afterAll(() => {
  for (const m of models) m.dispose();
  rmSync(root, { recursive: true, force: true });
});

function logitsOf(model: LlamaModel, ids: number[]): Float32Array {
  return tf.tidy(() => model.forward(tf.tensor2d([ids], undefined, 'int32')).logits.dataSync() as Float32Array);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** A model of `config` holding copies of `from`'s weights (same names and shapes). */
function withConfig(from: LlamaModel, config: LlamaConfig): LlamaModel {
  const m = track(new LlamaModel(config, { init: 'zeros' }));
  for (const [name, v] of m.weights) tf.tidy(() => v.assign(from.weights.get(name)!));
  return m;
}

describe('Hugging Face checkpoints match PyTorch (scripts/hf_reference.py)', () => {
  for (const c of CASES) {
    it(`${c}: logits over ${48} tokens to ${TOL}`, async () => {
      const e = await expectedOf(c);
      expect(e.ids.length).toBeGreaterThanOrEqual(40);
      const model = track(await loadCheckpoint(join(FIXTURES, c)));
      expect(maxAbsDiff(logitsOf(model, e.ids), e.logits)).toBeLessThan(TOL);
      expect(Math.max(...Array.from(e.logits, Math.abs))).toBeGreaterThan(2);
    });
  }

  it('reads each feature from config.json', async () => {
    const cfg = async (c: Case) => resolveConfig(track(await loadCheckpoint(join(FIXTURES, c))).config);
    expect((await cfg('hf-llama3-rope')).ropeScaling).toEqual({ type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 16 });
    expect((await cfg('hf-linear-rope')).ropeScaling).toEqual({ type: 'linear', factor: 4 });
    const dyn = await cfg('hf-dynamic-rope');
    expect(dyn.ropeScaling).toEqual({ type: 'dynamic', factor: 2, originalMaxPositions: 24 });
    expect(dyn.maxSeqLen).toBe(48);
    expect((await cfg('hf-yarn-rope')).ropeScaling).toEqual({
      type: 'yarn',
      factor: 4,
      originalMaxPositions: 16,
      betaFast: 8,
      betaSlow: 2,
      mscale: 1,
      mscaleAllDim: 0.5,
      truncate: false,
    });
    expect((await cfg('hf-yarn-attention-factor')).ropeScaling).toEqual({ type: 'yarn', factor: 3, attentionFactor: 1.3 });
    expect((await cfg('hf-rope-parameters')).ropeTheta).toBe(250000);
    expect((await cfg('hf-head-dim')).headDim).toBe(12);
    expect(await cfg('hf-llama-bias')).toMatchObject({ attentionBias: true, mlpBias: true, architecture: 'llama' });
    expect(await cfg('hf-qwen2')).toMatchObject({ architecture: 'qwen2', tieEmbeddings: true, ropeTheta: 1e6 });
    expect(await cfg('hf-qwen3')).toMatchObject({ architecture: 'qwen3', headDim: 12, attentionBias: false });
  });

  it('every feature matters: switching it off moves the logits far beyond the tolerance', async () => {
    const off = async (c: Case, change: (m: LlamaModel) => LlamaModel): Promise<number> => {
      const e = await expectedOf(c);
      const model = track(await loadCheckpoint(join(FIXTURES, c)));
      return maxAbsDiff(logitsOf(change(model), e.ids), e.logits);
    };
    const noScaling = (m: LlamaModel): LlamaModel => withConfig(m, { ...m.config, ropeScaling: undefined });
    for (const c of ['hf-llama3-rope', 'hf-linear-rope', 'hf-dynamic-rope', 'hf-yarn-rope', 'hf-yarn-attention-factor'] as const) {
      expect(await off(c, noScaling), c).toBeGreaterThan(1e-2);
    }
    // yarn's attention factor alone
    expect(
      await off('hf-yarn-attention-factor', (m) => withConfig(m, { ...m.config, ropeScaling: { type: 'yarn', factor: 3, attentionFactor: 1 } })),
    ).toBeGreaterThan(1e-2);
    expect(await off('hf-rope-parameters', (m) => withConfig(m, { ...m.config, ropeTheta: 10000 }))).toBeGreaterThan(1e-2);
    const zeroed = (pattern: RegExp, value: 0 | 1) => (m: LlamaModel): LlamaModel => {
      for (const [name, v] of m.weights) if (pattern.test(name)) tf.tidy(() => v.assign(value === 0 ? tf.zerosLike(v) : tf.onesLike(v)));
      return m;
    };
    expect(await off('hf-llama-bias', zeroed(/self_attn\.[qkvo]_proj\.bias$/, 0))).toBeGreaterThan(1e-2);
    expect(await off('hf-llama-bias', zeroed(/mlp\..*\.bias$/, 0))).toBeGreaterThan(1e-2);
    expect(await off('hf-qwen2', zeroed(/\.bias$/, 0))).toBeGreaterThan(1e-2);
    expect(await off('hf-qwen3', zeroed(/_norm\.weight$/, 1))).toBeGreaterThan(1e-2);
  });
});

describe('dynamic NTK scaling with a KV cache', () => {
  it('greedy cached generation past max_position_embeddings matches transformers step by step', async () => {
    const e = await expectedOf('hf-dynamic-rope');
    const g = e.gen!;
    const model = track(await loadCheckpoint(join(FIXTURES, 'hf-dynamic-rope')));
    const v = e.vocab;
    const original = 24;
    const cache = model.createCache();
    const steps: Float32Array[] = [];
    const tokens: number[] = [];
    try {
      let last = tf.tidy(() => {
        const { logits } = model.forward(tf.tensor2d([g.prompt], undefined, 'int32'), { cache });
        return tf.slice(logits, [0, g.prompt.length - 1, 0], [1, 1, v]).dataSync() as Float32Array;
      });
      for (let i = 0; i < g.tokens.length; i++) {
        steps.push(last);
        let best = 0;
        for (let j = 1; j < v; j++) if (last[j]! > last[best]!) best = j;
        tokens.push(best);
        if (i === g.tokens.length - 1) break;
        last = tf.tidy(() => model.forward(tf.tensor2d([[best]], undefined, 'int32'), { cache }).logits.dataSync() as Float32Array);
      }
    } finally {
      cache.dispose();
    }
    expect(tokens).toEqual(g.tokens);
    for (let i = 0; i < steps.length; i++) {
      expect(maxAbsDiff(steps[i]!, g.logits.subarray(i * v, (i + 1) * v)), `step ${i}`).toBeLessThan(TOL);
    }
    // A full forward uses one set of frequencies for every key (those of its length); cached decoding keeps
    // each key's own. While the sequence fits max_position_embeddings both are the default ones and the cached
    // step equals the full forward of the prefix; beyond it they differ, in transformers as here.
    const seq = [...g.prompt, ...g.tokens.slice(0, -1)];
    const full = logitsOf(model, seq);
    expect(maxAbsDiff(full, g.fullLogits)).toBeLessThan(TOL);
    for (let i = 0; i < steps.length; i++) {
      const pos = g.prompt.length - 1 + i;
      if (pos + 1 > original) break;
      const prefix = logitsOf(model, seq.slice(0, pos + 1));
      expect(maxAbsDiff(steps[i]!, prefix.subarray(pos * v)), `position ${pos}`).toBeLessThan(1e-4);
    }
    const lastPos = seq.length - 1;
    expect(maxAbsDiff(steps.at(-1)!, full.subarray(lastPos * v))).toBeGreaterThan(1e-3);
  });
});

describe('saved config.json round trip', () => {
  for (const c of CASES) {
    it(`${c}: saves a complete config.json that re-loads to the same config and logits`, async () => {
      const model = track(await loadCheckpoint(join(FIXTURES, c)));
      const dir = freshDir();
      await saveCheckpoint(dir, model);
      const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      for (const key of ['head_dim', 'rope_scaling', 'rope_theta', 'bos_token_id', 'eos_token_id', 'architectures', 'model_type']) {
        expect(saved, key).toHaveProperty(key);
      }
      expect(saved.bos_token_id).toBe(1);
      expect(saved.eos_token_id).toBe(2);
      expect(saved.head_dim).toBe(resolveConfig(model.config).headDim);
      expect(resolveConfig(fromHfConfig(saved))).toEqual(resolveConfig(model.config));
      expect(resolveConfig(fromHfConfig(saved))).toEqual(resolveConfig(fromHfConfig(hfJson(c))));
      const again = track(await loadCheckpoint(dir));
      const e = await expectedOf(c);
      expect(maxAbsDiff(logitsOf(again, e.ids), logitsOf(model, e.ids))).toBe(0);
    });
  }

  it.skipIf(!hasTorch)('PyTorch reads the checkpoints saved here (every case) and gives the same logits', async () => {
    for (const c of CASES) {
      const model = track(await loadCheckpoint(join(FIXTURES, c)));
      const dir = freshDir();
      await saveCheckpoint(dir, model);
      const e = await expectedOf(c);
      const out = execFileSync(PYTHON, [SCRIPT, '--check', dir, '--ids', JSON.stringify(e.ids)], { encoding: 'utf8' });
      const torchLogits = (JSON.parse(out) as { logits: number[][] }).logits.flat();
      expect(maxAbsDiff(logitsOf(model, e.ids), torchLogits), c).toBeLessThan(TOL);
    }
  }, 120_000);

  it('writes rope_scaling as transformers does and null without scaling', () => {
    const hf = toHfConfig(fromHfConfig(hfJson('hf-llama3-rope')));
    expect(hf.rope_scaling).toEqual({ rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 16 });
    expect(toHfConfig(fromHfConfig(hfJson('hf-head-dim'))).rope_scaling).toBeNull();
    // dynamic: max_position_embeddings is the original length again
    expect(toHfConfig(fromHfConfig(hfJson('hf-dynamic-rope'))).max_position_embeddings).toBe(24);
    expect(toHfConfig(fromHfConfig(hfJson('hf-qwen2')))).toMatchObject({ architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', use_sliding_window: false });
    expect(toHfConfig(fromHfConfig(hfJson('hf-qwen3')))).toMatchObject({ architectures: ['Qwen3ForCausalLM'], head_dim: 12, attention_bias: false });
  });

  it('keeps a list of eos ids (Llama 3.1 style)', () => {
    const config = fromHfConfig({ ...hfJson('hf-llama3-rope'), eos_token_id: [2, 7, 9] });
    expect(config.eosTokenId).toBe(2);
    expect(config.eosTokenIds).toEqual([2, 7, 9]);
    expect(toHfConfig(config).eos_token_id).toEqual([2, 7, 9]);
  });
});

describe('unsupported settings are refused with a ConfigError naming the key', () => {
  const base = hfJson('hf-llama-bias');
  const qwen2 = hfJson('hf-qwen2');
  const qwen3 = hfJson('hf-qwen3');
  const mixtral = { ...toHfConfig({ vocabSize: 40, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 24, maxSeqLen: 64, moe: { numExperts: 2, topK: 1 } }) };
  const cases: [string, Record<string, unknown>, string][] = [
    ['hidden_act gelu', { ...base, hidden_act: 'gelu' }, 'hidden_act'],
    ['unknown model_type', { ...base, model_type: 'gemma', architectures: undefined }, 'model_type'],
    ['unknown architecture', { ...base, architectures: ['MistralForCausalLM'] }, 'architectures'],
    ['MoE variant', { ...qwen2, architectures: ['Qwen2MoeForCausalLM'], model_type: 'qwen2_moe' }, 'architectures'],
    ['model_type contradicting architectures', { ...base, model_type: 'qwen2' }, 'model_type'],
    ['longrope', { ...base, rope_scaling: { rope_type: 'longrope', short_factor: [1, 1], long_factor: [2, 2] } }, 'rope_scaling.rope_type'],
    ['unknown rope type (legacy key)', { ...base, rope_scaling: { type: 'ntk-by-parts', factor: 2 } }, 'rope_scaling.type'],
    ['type contradicting rope_type', { ...base, rope_scaling: { type: 'linear', rope_type: 'dynamic', factor: 2 } }, 'rope_scaling.type'],
    ['unknown rope key', { ...base, rope_scaling: { rope_type: 'linear', factor: 2, mrope_section: [1] } }, 'rope_scaling.mrope_section'],
    ['rope factor missing', { ...base, rope_scaling: { rope_type: 'linear' } }, 'rope_scaling.factor'],
    ['llama3 key missing', { ...base, rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4 } }, 'rope_scaling.original_max_position_embeddings'],
    ['dynamic original length that transformers ignores', { ...base, rope_scaling: { rope_type: 'dynamic', factor: 2, original_max_position_embeddings: 16 } }, 'rope_scaling.original_max_position_embeddings'],
    ['per-layer rope_parameters', { ...base, rope_parameters: { full_attention: { rope_type: 'default', rope_theta: 1e4 } } }, 'rope_parameters'],
    ['rope_parameters and rope_scaling', { ...base, rope_parameters: { rope_type: 'default', rope_theta: 1e4 }, rope_scaling: { rope_type: 'linear', factor: 2 } }, 'rope_scaling'],
    ['rope_parameters bad theta', { ...base, rope_parameters: { rope_type: 'default', rope_theta: -1 } }, 'rope_parameters.rope_theta'],
    ['partial_rotary_factor', { ...base, partial_rotary_factor: 0.5 }, 'partial_rotary_factor'],
    ['partial_rotary_factor in rope_parameters', { ...base, rope_parameters: { rope_type: 'default', rope_theta: 1e4, partial_rotary_factor: 0.5 } }, 'rope_parameters.partial_rotary_factor'],
    ['attention_dropout', { ...base, attention_dropout: 0.1 }, 'attention_dropout'],
    ['quantization_config', { ...base, quantization_config: { quant_method: 'gptq' } }, 'quantization_config'],
    ['qwen2 sliding window', { ...qwen2, use_sliding_window: true }, 'use_sliding_window'],
    ['qwen3 sliding window', { ...qwen3, use_sliding_window: true, sliding_window: 16 }, 'use_sliding_window'],
    ['sliding layer_types', { ...qwen3, layer_types: ['sliding_attention', 'full_attention'] }, 'layer_types'],
    ['mixtral sliding window', { ...mixtral, sliding_window: 16 }, 'sliding_window'],
    ['mixtral router jitter', { ...mixtral, router_jitter_noise: 0.1 }, 'router_jitter_noise'],
    ['experts on llama', { ...base, num_local_experts: 4, num_experts_per_tok: 2 }, 'num_local_experts'],
    ['qwen2 attention_bias', { ...qwen2, attention_bias: true }, 'attention_bias'],
    ['qwen3 mlp_bias', { ...qwen3, mlp_bias: true }, 'mlp_bias'],
    ['odd head_dim', { ...base, head_dim: 7 }, 'head_dim'],
    ['head_dim not a number', { ...base, head_dim: '12' }, 'head_dim'],
    ['attention_bias not a boolean', { ...base, attention_bias: 'yes' }, 'attention_bias'],
    ['eos list with a non-number', { ...base, eos_token_id: [2, 'x'] }, 'eos_token_id'],
    ['qwen2 without num_key_value_heads', { ...qwen2, num_key_value_heads: undefined }, 'num_key_value_heads'],
  ];
  for (const [name, json, field] of cases) {
    it(`${name} → field ${field}`, () => {
      let caught: unknown;
      try {
        fromHfConfig(JSON.parse(JSON.stringify(json)) as Record<string, unknown>);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect(caught).toBeInstanceOf(ModelError);
      expect((caught as ConfigError).field).toBe(field);
      expect((caught as ConfigError).message).toContain(field);
    });
  }

  it('accepts what does not change the math (pretraining_tp, use_sliding_window false, a window as long as the context)', () => {
    expect(() => fromHfConfig({ ...base, pretraining_tp: 2 })).not.toThrow();
    expect(() => fromHfConfig({ ...qwen2, use_sliding_window: false, sliding_window: 16 })).not.toThrow();
    expect(() => fromHfConfig({ ...mixtral, sliding_window: 64 })).not.toThrow();
    expect(() => fromHfConfig({ ...base, rope_scaling: { rope_type: 'default' } })).not.toThrow();
    expect(fromHfConfig({ ...base, hidden_act: 'swish' }).architecture).toBeUndefined();
  });

  it('loadCheckpoint reports the ConfigError as the cause of a CheckpointError', async () => {
    const dir = freshDir();
    cpSync(join(FIXTURES, 'hf-llama-bias'), dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...base, hidden_act: 'relu' }));
    const error = await loadCheckpoint(dir).then(
      (m) => {
        track(m);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as { cause?: unknown }).cause).toBeInstanceOf(ConfigError);
    expect(((error as { cause?: unknown }).cause as ConfigError).field).toBe('hidden_act');
  });

  it('biases in the file but attention_bias false: refused by a strict load, never silently dropped', async () => {
    const dir = freshDir();
    cpSync(join(FIXTURES, 'hf-llama-bias'), dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...base, attention_bias: false }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/self_attn\.[qkvo]_proj\.bias/);
  });
});

describe('on the wasm backend (the fused wasm kernels)', () => {
  it('every case matches PyTorch to the same tolerance', async () => {
    await initBackend('wasm', { log: false });
    try {
      expect(tf.getBackend()).toBe('wasm');
      for (const c of CASES) {
        const e = await expectedOf(c);
        const model = track(await loadCheckpoint(join(FIXTURES, c)));
        expect(maxAbsDiff(logitsOf(model, e.ids), e.logits), c).toBeLessThan(TOL);
      }
    } finally {
      await initBackend('cpu', { log: false });
    }
  }, 120_000);
});

describe.skipIf(process.env.QUARKMED_SKIP_WEBGPU === '1')('on webgpu (Mesa llvmpipe here)', () => {
  it('every case matches PyTorch, also through explicit positions (GPU rope tables with attention scaling)', async () => {
    // load on cpu (the checkpoint reader), then run on webgpu
    const loaded = new Map<Case, LlamaModel>();
    for (const c of CASES) loaded.set(c, track(await loadCheckpoint(join(FIXTURES, c))));
    const choice = await initBackend('webgpu', { log: false });
    try {
      expect(choice.name).toBe('webgpu');
      for (const c of CASES) {
        const e = await expectedOf(c);
        const model = loaded.get(c)!;
        const ids = tf.tensor2d([e.ids], undefined, 'int32');
        const mask = tf.ones([1, e.ids.length], 'int32') as tf.Tensor2D;
        const plain = tf.tidy(() => model.forward(ids).logits);
        const masked = tf.tidy(() => model.forward(ids, { attentionMask: mask }).logits);
        expect(maxAbsDiff(await plain.data(), e.logits), c).toBeLessThan(1e-4);
        expect(maxAbsDiff(await masked.data(), e.logits), `${c} (positions)`).toBeLessThan(1e-4);
        tf.dispose([ids, mask, plain, masked]);
      }
    } finally {
      await initBackend('cpu', { log: false });
    }
  }, 300_000);
});
