/**
 * Starting a stage from a Hugging Face Llama-format checkpoint made elsewhere (`<stage>.initCheckpoint`, `quarkmed
 * stage <name> --init DIR`): a checkpoint directory in the pure HF layout (`config.json` without our save id,
 * `model.safetensors` with only `{"format": "pt"}` metadata, `tokenizer.json` + `tokenizer_config.json`) is written,
 * the `sft` stage runs from it through the real Node stage context, and the model its trainer starts from holds
 * exactly those weights at step 0; the stage then trains (its output weights moved) and records where it started.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LlamaModel, Trainer, loadCheckpointFromFiles, trainBpe } from '@quarkmed/model';
import { saveCheckpoint, saveTokenizer } from '@quarkmed/model/node';
import { initBackend } from '@quarkmed/tensor-kernels';
import { parseRecipeConfig } from '../../src/config/parse';
import { withScale } from '../../src/config/scales';
import { nodeStageContext } from '../../src/node/run/node-context';
import { sftStage } from '../../src/stages/sft';
import type { StageProgress } from '../../src/stages/types';

const CORPUS = new URL('../../../../data/medical-text/pubmedqa-abstracts.en.txt', import.meta.url);
const root = await mkdtemp(join(tmpdir(), 'qm-init-hf-'));
const hfDir = join(root, 'hf-llama');
let original: Map<string, Float32Array>;

/** Rewrites a safetensors file with its `__metadata__` replaced (header padded to 8 bytes, as the format requires). */
function withMetadata(bytes: Uint8Array, metadata: Record<string, string>): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  header.__metadata__ = metadata;
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(bytes.subarray(8 + n), 8 + head.length);
  return out;
}

const quiet: StageProgress = { step: () => {}, event: () => {} };

beforeAll(async () => {
  await initBackend('cpu', { log: false });
  await tf.ready();
  const text = await readFile(CORPUS, 'utf8');
  const tokenizer = trainBpe(text.split('\n').slice(0, 60), { vocabSize: 400, specialTokens: ['<|endoftext|>'] });
  const model = new LlamaModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 64, maxSeqLen: 128 }, { seed: 99 });
  original = new Map([...model.weights].map(([k, v]) => [k, v.dataSync() as Float32Array]));
  // made "elsewhere": our writer, then everything of ours stripped, leaving the layout transformers writes
  await saveCheckpoint(hfDir, model);
  await saveTokenizer(tokenizer, hfDir);
  model.dispose();
  const config = JSON.parse(await readFile(join(hfDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  delete config.quarkmed_save_id;
  await writeFile(join(hfDir, 'config.json'), JSON.stringify(config, null, 2));
  await writeFile(join(hfDir, 'model.safetensors'), withMetadata(new Uint8Array(await readFile(join(hfDir, 'model.safetensors'))), { format: 'pt' }));
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

describe('a stage started from a Hugging Face Llama-format checkpoint made elsewhere', () => {
  it('is in the pure HF layout: nothing of ours left in it', async () => {
    expect((await readdir(hfDir)).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    for (const f of ['config.json', 'model.safetensors']) expect((await readFile(join(hfDir, f))).toString('latin1')).not.toContain('quarkmed');
    const config = JSON.parse(await readFile(join(hfDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 32, num_hidden_layers: 2 });
  });

  it('sft trains from exactly its weights at step 0, then moves them, and records the origin', async () => {
    const runDir = join(root, 'run');
    const config = parseRecipeConfig(withScale('tiny', { backend: 'cpu', sft: { steps: 2, batchSize: 2, samples: 4, initCheckpoint: hfDir } }));
    const ctx = nodeStageContext({ runDir, stage: 'sft', config, progress: quiet, available: new Set() });
    const atStart: Map<string, Float32Array>[] = [];
    const train = Trainer.prototype.train;
    const spy = vi.spyOn(Trainer.prototype, 'train').mockImplementation(async function (this: Trainer, ...args: Parameters<Trainer['train']>) {
      const m = (this as unknown as { model: LlamaModel; step: number }).model;
      expect((this as unknown as { step: number }).step).toBe(0);
      atStart.push(new Map([...m.weights].map(([k, v]) => [k, v.dataSync() as Float32Array])));
      return train.apply(this, args);
    });
    const out = await sftStage.run(ctx);
    spy.mockRestore();

    expect(atStart).toHaveLength(1);
    const start = atStart[0]!;
    expect([...start.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [name, w] of original) expect(start.get(name), name).toEqual(w);

    expect(out.metrics.origin).toBe(hfDir);
    const files = new Map(Object.entries(out.files).map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v]));
    const trained = await loadCheckpointFromFiles(async (n: string) => files.get(n));
    let moved = 0;
    for (const [name, w] of original) {
      const t = trained.weights.get(name)!.dataSync();
      expect(t.length, name).toBe(w.length);
      if (t.some((x, i) => x !== w[i])) moved++;
    }
    trained.dispose();
    expect(moved).toBeGreaterThan(original.size / 2);
    expect(out.curves?.[0]?.points).toHaveLength(2);
  }, 180_000);

  it('a directory that is not a checkpoint is a StageError naming the key', async () => {
    const config = parseRecipeConfig(withScale('tiny', { sft: { initCheckpoint: root } }));
    const ctx = nodeStageContext({ runDir: join(root, 'run2'), stage: 'sft', config, progress: quiet, available: new Set() });
    await expect(sftStage.run(ctx)).rejects.toThrow(/sft\.initCheckpoint: .* has no config\.json/);
  });
});
