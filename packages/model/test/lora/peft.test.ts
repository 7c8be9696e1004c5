import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSafetensors, serializeSafetensors } from '../../src/checkpoint/safetensors';
import { CheckpointError } from '../../src/checkpoint/errors';
import type { LlamaConfig } from '../../src/config';
import { LlamaModel } from '../../src/decoder/llama';
import { applyLora } from '../../src/lora/apply-lora';
import { LoraConfigError } from '../../src/lora/lora-config';
import { ADAPTER_CONFIG_KEY, loadLoraAdaptersFromFiles, loadLoraWeightsFromFiles, loraConfigFromPeft, serializeLoraAdapters } from '../../src/lora/peft';
import { loadLoraAdapters, saveLoraAdapters } from '../../src/node/peft';
import { maxAbsDiff, randu, useCpu } from '../training/helpers';

const CONFIG: LlamaConfig = { vocabSize: 20, hiddenSize: 16, numLayers: 2, numHeads: 2, numKvHeads: 1, intermediateSize: 24, maxSeqLen: 16, initStd: 0.2 };
const IDS = [[1, 5, 9, 2, 7, 3]];

let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(join(tmpdir(), 'qm-peft-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function logits(model: LlamaModel): tf.Tensor {
  return tf.tidy(() => model.forward(tf.tensor2d(IDS, undefined, 'int32')).logits);
}

describe('PEFT adapters', () => {
  it('saves PEFT names, [r, in] / [out, r] layout and adapter_config.json, and loads back to the same logits', async () => {
    const model = new LlamaModel(CONFIG, { seed: 1 });
    const h = applyLora(model, { r: 2, alpha: 4, dropout: 0.05, targetModules: ['q', 'v', 'down'], seed: 2, baseModelNameOrPath: 'quarkmed/tiny' });
    let i = 0;
    for (const a of h.adapters.values()) tf.tidy(() => a.b.assign(randu(a.b.shape, 50 + i++, 0.5) as tf.Tensor2D));
    const adapted = logits(model);
    const out = join(dir, 'adapter');
    await saveLoraAdapters(h, out);

    const config = JSON.parse(await readFile(join(out, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      r: 2,
      lora_alpha: 4,
      lora_dropout: 0.05,
      target_modules: ['down_proj', 'q_proj', 'v_proj'],
      base_model_name_or_path: 'quarkmed/tiny',
      bias: 'none',
    });
    const { tensors } = parseSafetensors(new Uint8Array(await readFile(join(out, 'adapter_model.safetensors'))));
    expect(tensors.size).toBe(2 * 3 * 2);
    const qa = tensors.get('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight')!;
    const vb = tensors.get('base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight')!;
    const da = tensors.get('base_model.model.model.layers.0.mlp.down_proj.lora_A.weight')!;
    expect(qa.shape).toEqual([2, 16]);
    expect(vb.shape).toEqual([8, 2]);
    expect(da.shape).toEqual([2, 24]);
    // transposed from ours: PEFT A[j, i] == our A[i, j]
    const ourA = h.adapters.get('model.layers.0.self_attn.q_proj')!.a.arraySync() as number[][];
    expect(qa.data[1 * 16 + 5]).toBe(ourA[5]![1]);
    const ourB = h.adapters.get('model.layers.1.self_attn.v_proj')!.b.arraySync() as number[][];
    expect(vb.data[7 * 2 + 1]).toBe(ourB[1]![7]);

    const fresh = new LlamaModel(CONFIG, { seed: 1 });
    const loaded = await loadLoraAdapters(fresh, out);
    expect(loaded.config).toMatchObject({ r: 2, alpha: 4, dropout: 0.05, targetModules: ['q', 'v', 'down'], baseModelNameOrPath: 'quarkmed/tiny' });
    for (const [k, v] of h.namedVariables()) expect(maxAbsDiff(v, loaded.namedVariables().get(k)!), k).toBe(0);
    const again = logits(fresh);
    expect(maxAbsDiff(again, adapted)).toBe(0);
    tf.dispose([adapted, again]);
    model.dispose();
    fresh.dispose();
  });

  it('accepts `.default.weight` names and rejects missing/misshapen tensors and unsupported configs', async () => {
    const model = new LlamaModel(CONFIG, { seed: 3 });
    const h = applyLora(model, { r: 2, targetModules: ['q'] });
    const out = join(dir, 'bad');
    await saveLoraAdapters(h, out);
    const file = join(out, 'adapter_model.safetensors');
    const { tensors } = parseSafetensors(new Uint8Array(await readFile(file)));
    const renamed = new Map([...tensors].map(([k, t]) => [k.replace('.weight', '.default.weight'), { dtype: 'F32' as const, shape: t.shape, data: t.data }]));
    await writeFile(file, serializeSafetensors(renamed));
    const other = new LlamaModel(CONFIG, { seed: 3 });
    const ok = await loadLoraAdapters(other, out);
    expect(ok.adapters.size).toBe(2);
    ok.remove();

    const missing = new Map([...renamed].slice(1));
    await writeFile(file, serializeSafetensors(missing));
    await expect(loadLoraAdapters(other, out)).rejects.toThrow(CheckpointError);
    // the failed load left no adapters behind
    expect([...other.linears().values()].every((l) => l.adapter === undefined)).toBe(true);

    const wrong = new Map(renamed);
    const [k0, t0] = [...renamed][0]!;
    wrong.set(k0, { dtype: 'F32', shape: [t0.shape[1]!, t0.shape[0]!], data: t0.data });
    await writeFile(file, serializeSafetensors(wrong));
    await expect(loadLoraAdapters(other, out)).rejects.toThrow(/expected \[2, 16\]/);

    expect(() => loraConfigFromPeft({ peft_type: 'PREFIX_TUNING', r: 2 })).toThrow(LoraConfigError);
    expect(() => loraConfigFromPeft({ peft_type: 'LORA', r: 2, target_modules: 'q_proj|v_proj' })).toThrow(/regex/);
    expect(() => loraConfigFromPeft({ peft_type: 'LORA', r: 2, target_modules: ['q_proj'], use_rslora: true })).toThrow(/use_rslora/);
    await expect(loadLoraAdapters(other, join(dir, 'none'))).rejects.toThrow(/adapter_config\.json/);
    h.remove();
    model.dispose();
    other.dispose();
  });

  it('a save replaces both files as a unit; a config and weights of different saves are a torn CheckpointError', async () => {
    const model = new LlamaModel(CONFIG, { seed: 4 });
    const h = applyLora(model, { r: 2, alpha: 4, targetModules: ['q', 'v'], seed: 5 });
    for (const a of h.adapters.values()) tf.tidy(() => a.b.assign(randu(a.b.shape, 9, 0.5) as tf.Tensor2D));
    const dirA = join(dir, 'torn-a');
    const dirB = join(dir, 'torn-b');
    await saveLoraAdapters(h, dirA);
    await writeFile(join(dirA, 'README.md'), 'mine');
    // a second save with another alpha:
    const h2 = applyLora(new LlamaModel(CONFIG, { seed: 4 }), { r: 2, alpha: 16, targetModules: ['q', 'v'], seed: 6 });
    await saveLoraAdapters(h2, dirB);
    const { metadata } = parseSafetensors(new Uint8Array(await readFile(join(dirA, 'adapter_model.safetensors'))));
    expect(JSON.parse(metadata[ADAPTER_CONFIG_KEY]!)).toEqual([2, 4, ['q_proj', 'v_proj']]);

    // B's config next to A's weights
    await writeFile(join(dirA, 'adapter_config.json'), await readFile(join(dirB, 'adapter_config.json')));
    const other = new LlamaModel(CONFIG, { seed: 4 });
    const e = await loadLoraAdapters(other, dirA).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as Error).message).toMatch(/torn adapter/);
    expect([...other.linears().values()].every((l) => l.adapter === undefined)).toBe(true);

    // saving again replaces both files and keeps the other file
    await saveLoraAdapters(h, dirA);
    expect(readdirSync(dirA).sort()).toEqual(['README.md', 'adapter_config.json', 'adapter_model.safetensors']);
    const ok = await loadLoraAdapters(other, dirA);
    expect(ok.config.alpha).toBe(4);
    ok.remove();
    other.dispose();
    h.remove();
    model.dispose();
  });

  it('loads from fetched files (browser main entry) to the same logits', async () => {
    const model = new LlamaModel(CONFIG, { seed: 7 });
    const h = applyLora(model, { r: 2, alpha: 8, targetModules: ['q', 'o', 'up'], seed: 8 });
    let i = 0;
    for (const a of h.adapters.values()) tf.tidy(() => a.b.assign(randu(a.b.shape, 70 + i++, 0.5) as tf.Tensor2D));
    const want = logits(model);
    const files = await serializeLoraAdapters(h);
    expect([...files.keys()].sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    const fresh = new LlamaModel(CONFIG, { seed: 7 });
    const loaded = await loadLoraAdaptersFromFiles(fresh, async (name) => (files.has(name) ? new Blob([files.get(name)! as BlobPart]) : undefined));
    const got = logits(fresh);
    expect(maxAbsDiff(got, want)).toBe(0);
    // weights only, into an existing handle
    for (const a of loaded.adapters.values()) tf.tidy(() => a.b.assign(tf.zerosLike(a.b)));
    await loadLoraWeightsFromFiles(loaded, Object.fromEntries(files));
    const again = logits(fresh);
    expect(maxAbsDiff(again, want)).toBe(0);
    await expect(loadLoraAdaptersFromFiles(fresh, { 'adapter_config.json': files.get('adapter_config.json')! })).rejects.toThrow(/files\/adapter_model\.safetensors: missing file/);
    tf.dispose([want, got, again]);
    loaded.remove();
    h.remove();
    model.dispose();
    fresh.dispose();
  });
});
