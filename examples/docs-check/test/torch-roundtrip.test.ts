/**
 * The "Scaling out" guide's PyTorch path, end to end at small scale: a checkpoint saved by @quarkmed/model is
 * trained further in plain PyTorch by docs/scaling-out/continue_in_torch.py (Debian's python3-torch, no
 * transformers), written back as safetensors with the same names, and loaded and run again here — the same files
 * the browser app loads with `loadCheckpointFromFiles`. Skipped without /usr/bin/python3 + torch (CI has it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';
import { LlamaModel, generate, loadCheckpointFromFiles, trainBpe } from '@quarkmed/model';
import { loadCheckpoint, loadTokenizer, saveCheckpoint, saveTokenizer } from '@quarkmed/model/node';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../docs/scaling-out/continue_in_torch.py', import.meta.url));
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.warn('[torch-roundtrip] /usr/bin/python3 with torch not found: skipping the PyTorch round trip');

const TEXT = [
  'Metformin is a first-line drug for type 2 diabetes mellitus.',
  'Hypertension is a risk factor for stroke and myocardial infarction.',
  'Iron deficiency anaemia presents with fatigue and pallor.',
  'Amoxicillin treats community-acquired pneumonia in adults.',
];

interface TorchReport {
  steps: number;
  loss_before: number;
  loss_after: number;
  probe_ids: number[];
  probe_logits: number[][];
}

function logitsOf(model: LlamaModel, ids: number[]): number[][] {
  return tf.tidy(() => tf.squeeze(model.forward(tf.tensor2d([ids], undefined, 'int32')).logits, [0]).arraySync() as number[][]);
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) => row.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - b[i]![j]!)))));
  return worst;
}

describe.skipIf(!hasTorch)('checkpoint → PyTorch training → checkpoint → @quarkmed/model', () => {
  let root: string;
  beforeAll(async () => {
    await initBackend('cpu', { log: false });
    root = mkdtempSync(join(tmpdir(), 'qm-torch-roundtrip-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('continues training in PyTorch and loads the result back, same logits and lower loss', async () => {
    const tokenizer = trainBpe(TEXT, { vocabSize: 300 });
    const model = new LlamaModel(
      { vocabSize: tokenizer.vocabSize, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 64, maxSeqLen: 96 },
      { seed: 1 },
    );
    const source = join(root, 'ours');
    const continued = join(root, 'torch-continued');
    await saveCheckpoint(source, model);
    await saveTokenizer(tokenizer, source);
    const sequences = TEXT.map((t) => tokenizer.encode(t));
    writeFileSync(join(root, 'ids.jsonl'), sequences.map((ids) => JSON.stringify({ input_ids: ids })).join('\n') + '\n');

    const stdout = execFileSync(
      PYTHON,
      [SCRIPT, '--checkpoint', source, '--ids', join(root, 'ids.jsonl'), '--out', continued, '--steps', '40', '--lr', '3e-3', '--seed', '0'],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    const report = JSON.parse(stdout) as TorchReport;

    // PyTorch starts from our model: its loss before training is ours (the same forward, two implementations).
    const ids = sequences[0]!;
    expect(report.probe_ids).toEqual(ids);
    const oursBefore = logitsOf(model, ids);
    const pad = Math.max(...sequences.map((s) => s.length));
    const padded = sequences.map((s) => [...s, ...new Array<number>(pad - s.length).fill(0)]);
    const labels = sequences.map((s) => [...s, ...new Array<number>(pad - s.length).fill(-100)]);
    const ourLoss = tf.tidy(() => model.loss(tf.tensor2d(padded, undefined, 'int32'), tf.tensor2d(labels, undefined, 'int32')).lmLoss.dataSync()[0]!);
    expect(Math.abs(ourLoss - report.loss_before)).toBeLessThan(1e-4);
    // Training in PyTorch learned: the loss on the text fell by at least 1 nat from ≈ ln(300) = 5.7 (stated margin).
    expect(report.loss_after).toBeLessThan(report.loss_before - 1);

    // The written checkpoint loads back here and computes what PyTorch computed (float32 both sides).
    const loaded = await loadCheckpoint(continued);
    const after = logitsOf(loaded, ids);
    expect(maxAbsDiff(after, report.probe_logits)).toBeLessThan(1e-3);
    expect(maxAbsDiff(after, oursBefore)).toBeGreaterThan(0.1); // and it is the trained model, not the old one
    // The same files load from bytes, as the browser app does (main entry, no file system).
    const fromBytes = await loadCheckpointFromFiles({
      'config.json': readFileSync(join(continued, 'config.json'), 'utf8'),
      'model.safetensors': new Uint8Array(readFileSync(join(continued, 'model.safetensors'))),
    });
    expect(maxAbsDiff(logitsOf(fromBytes, ids), after)).toBeLessThan(1e-6);

    // It generates: greedy decoding's first token is the argmax of PyTorch's logits after the prompt.
    const loadedTokenizer = await loadTokenizer(continued);
    const promptIds = ids.slice(0, 4);
    const prompt = loadedTokenizer.decode(promptIds);
    expect(loadedTokenizer.encode(prompt)).toEqual(promptIds);
    const [out] = await generate(loaded, [prompt], { tokenizer: loadedTokenizer, maxNewTokens: 8, temperature: 0 });
    const row = report.probe_logits[promptIds.length - 1]!;
    expect(out!.tokenIds[0]).toBe(row.indexOf(Math.max(...row)));
    expect(out!.tokenIds.length).toBeGreaterThan(0);
    model.dispose();
    loaded.dispose();
    fromBytes.dispose();
  });
});
