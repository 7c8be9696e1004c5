import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlamaConfig } from '../../src/config';
import { LlamaModel } from '../../src/decoder/llama';
import { cosineWithWarmup } from '../../src/training/schedule';
import { Trainer, TrainerError, type StepLog, type TrainExample } from '../../src/training/trainer';
import { maxAbsDiff, useCpu } from './helpers';

const CONFIG: LlamaConfig = { vocabSize: 24, hiddenSize: 16, numLayers: 2, numHeads: 2, numKvHeads: 1, intermediateSize: 24, maxSeqLen: 16 };

/** Seeded examples of lengths in [minLen, maxLen], with a learnable pattern (x, x+1, x+2, ...). */
function examples(n: number, seed: number, minLen = 6, maxLen = 6): TrainExample[] {
  let s = seed;
  const rnd = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  return Array.from({ length: n }, () => {
    const len = minLen + Math.floor(rnd() * (maxLen - minLen + 1));
    const start = Math.floor(rnd() * CONFIG.vocabSize);
    const ids = Array.from({ length: len }, (_, j) => (start + j) % CONFIG.vocabSize);
    const labels = ids.map((id, j) => (j === 1 ? -100 : id)); // one ignored label per example
    return { inputIds: ids, labels };
  });
}

function maxWeightDiff(a: LlamaModel, b: LlamaModel): number {
  let worst = 0;
  for (const [name, w] of a.weights) worst = Math.max(worst, maxAbsDiff(w, b.weights.get(name)!));
  return worst;
}

let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(join(tmpdir(), 'qm-trainer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Trainer', () => {
  it('accumulating 2 micro-batches equals one double batch (ragged lengths, token-weighted)', async () => {
    const data = examples(4, 4, 4, 9); // lengths 4, 7, 8, 8: micro-batches of 7 and 12 label tokens
    const a = new LlamaModel(CONFIG, { seed: 5 });
    const b = new LlamaModel(CONFIG, { seed: 5 });
    // eps 1e-3 keeps Adam's first update smooth in g (g/(|g|+eps)), so float rounding of near-zero
    // gradient entries cannot flip a sign and the comparison measures the accumulation alone
    const common = { lr: 1e-2, eps: 1e-3, weightDecay: 0.1, seed: 1, shuffle: false, maxGradNorm: 0.5 };
    const ta = new Trainer({ model: a, ...common, batchSize: 2, gradAccumulationSteps: 2 });
    const tb = new Trainer({ model: b, ...common, batchSize: 4, gradAccumulationSteps: 1 });
    const ra = await ta.train(data, { steps: 3 });
    const rb = await tb.train(data, { steps: 3 });
    for (let i = 0; i < 3; i++) expect(Math.abs(ra.losses[i]! - rb.losses[i]!)).toBeLessThan(1e-5);
    expect(maxWeightDiff(a, b)).toBeLessThan(1e-5);
    // and training moved the weights by much more than that
    const fresh = new LlamaModel(CONFIG, { seed: 5 });
    expect(maxWeightDiff(a, fresh)).toBeGreaterThan(1e-2);
    for (const x of [ta, tb]) x.dispose();
    for (const m of [a, b, fresh]) m.dispose();
  });

  it('train 20 steps == train 10, save, new Trainer + resume, train 10 (to 1e-6)', async () => {
    const data = examples(10, 11, 5, 8);
    const opts = {
      lr: cosineWithWarmup({ warmupSteps: 3, totalSteps: 20, peakLr: 2e-2, minLr: 1e-3 }),
      batchSize: 3,
      gradAccumulationSteps: 2,
      maxGradNorm: 0.5,
      seed: 42,
    };
    const straight = new LlamaModel(CONFIG, { seed: 9 });
    const t1 = new Trainer({ model: straight, ...opts });
    const full = await t1.train(data, { steps: 20 });

    const first = new LlamaModel(CONFIG, { seed: 9 });
    const t2 = new Trainer({ model: first, ...opts });
    const part1 = await t2.train(data, { steps: 10 });
    const stateDir = join(dir, 'resume-state');
    await t2.saveState(stateDir);
    await t2.saveState(stateDir); // overwriting an existing state works (atomic swap)
    expect((await readdir(stateDir)).sort()).toEqual(['config.json', 'model.safetensors', 'optimizer.safetensors', 'trainer_state.json']);
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);
    const state = JSON.parse(await readFile(join(stateDir, 'trainer_state.json'), 'utf8'));
    // 10 steps x 2 micro x 3 examples = 60 examples = 6 epochs of 10 (the 6th ends exactly at the cursor)
    expect(state).toMatchObject({ version: 1, step: 10, seed: 42, data: { size: 10, epoch: 5, cursor: 10 } });

    const resumed = new LlamaModel(CONFIG, { seed: 1234 }); // different init: everything must come from the state
    const t3 = new Trainer({ model: resumed, ...opts });
    await t3.resume(stateDir);
    expect(t3.step).toBe(10);
    const part2 = await t3.train(data, { steps: 10 });
    expect(part2.step).toBe(20);
    expect([...part1.losses, ...part2.losses].map((l, i) => Math.abs(l - full.losses[i]!)).every((d) => d < 1e-6)).toBe(true);
    expect(maxWeightDiff(straight, resumed)).toBeLessThan(1e-6);
    expect(full.losses[19]!).toBeLessThan(full.losses[0]! - 0.3);
    for (const x of [t1, t2, t3]) x.dispose();
    for (const m of [straight, first, resumed]) m.dispose();
  });

  it('evaluate is the token-weighted mean loss of the whole set, in eval mode, without side effects', async () => {
    const data = examples(5, 21, 3, 8);
    const model = new LlamaModel(CONFIG, { seed: 2 });
    const t = new Trainer({ model, lr: 1e-2, evalBatchSize: 2 });
    const before = model.weights.get('model.norm.weight')!.dataSync().slice();
    const got = await t.evaluate(data);
    // reference: one padded batch of all 5
    const len = Math.max(...data.map((e) => e.inputIds.length));
    const ids = data.map((e) => Array.from({ length: len }, (_, j) => (j < e.inputIds.length ? e.inputIds[j]! : 0)));
    const lab = data.map((e) => Array.from({ length: len }, (_, j) => (j < e.labels!.length ? e.labels![j]! : -100)));
    const ref = tf.tidy(() => model.loss(tf.tensor2d(ids, undefined, 'int32'), tf.tensor2d(lab, undefined, 'int32')).lmLoss);
    expect(Math.abs(got - ref.dataSync()[0]!)).toBeLessThan(1e-5);
    expect(t.step).toBe(0);
    expect(Array.from(model.weights.get('model.norm.weight')!.dataSync())).toEqual(Array.from(before));
    ref.dispose();
    t.dispose();
    model.dispose();
  });

  it('logs every step (callback and JSONL), evaluates and checkpoints periodically, and accepts batch iterables', async () => {
    const model = new LlamaModel(CONFIG, { seed: 3 });
    const logs: StepLog[] = [];
    const logFile = join(dir, 'logs', 'train.jsonl');
    const ckDir = join(dir, 'periodic');
    const t = new Trainer({
      model,
      lr: 1e-2,
      batchSize: 2,
      evalEvery: 2,
      evalData: examples(3, 5),
      checkpointEvery: 3,
      checkpointDir: ckDir,
      onStep: (l) => logs.push(l),
      logFile,
    });
    function* batches(): Generator<{ inputIds: number[][]; labels: number[][] }> {
      for (let i = 0; i < 3; i++) yield { inputIds: [[1, 2, 3, 4], [5, 6, 7, 8]], labels: [[1, 2, 3, 4], [5, 6, 7, -100]] };
    }
    const r = await t.train(batches(), { steps: 3 });
    expect(r.step).toBe(3);
    expect(logs.map((l) => l.step)).toEqual([1, 2, 3]);
    expect(logs[0]!.tokens).toBe(5);
    expect(logs[1]!.evalLoss).toBeGreaterThan(0);
    expect(logs[0]!.evalLoss).toBeUndefined();
    expect(r.evalLosses.map(([s]) => s)).toEqual([2]);
    expect(logs[2]!.checkpoint).toBe(join(ckDir, 'checkpoint-3'));
    expect(await readdir(ckDir)).toEqual(['checkpoint-3']);
    const lines = (await readFile(logFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3]);
    expect(lines[0].loss).toBeCloseTo(logs[0]!.loss, 10);
    await expect(t.train(batches(), { steps: 4 })).rejects.toThrow(/ran out/);
    t.dispose();
    model.dispose();
  });

  it('leaks no tensors across steps, evaluation and save/resume', async () => {
    const model = new LlamaModel(CONFIG, { seed: 12 });
    const data = examples(6, 2, 4, 8);
    const t = new Trainer({ model, lr: 1e-2, batchSize: 2, gradAccumulationSteps: 2 });
    await t.train(data, { steps: 1 });
    const before = tf.memory().numTensors;
    await t.train(data, { steps: 2 });
    await t.evaluate(data);
    const stateDir = join(dir, 'leak');
    await t.saveState(stateDir);
    await t.resume(stateDir);
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
    model.dispose();
  });

  it('rejects bad options, data and mismatched resumes, naming them', async () => {
    const model = new LlamaModel(CONFIG, { seed: 4 });
    expect(() => new Trainer({ model, lr: -1 })).toThrow(/options\.lr/);
    expect(() => new Trainer({ model, lr: 1, gradAccumulationSteps: 0 })).toThrow(/gradAccumulationSteps/);
    expect(() => new Trainer({ model, lr: 1, checkpointEvery: 2 })).toThrow(/checkpointDir/);
    expect(() => new Trainer({ model, lr: 1, evalEvery: 2 })).toThrow(/evalData/);
    expect(() => new Trainer({ model, lr: 1, trainableVariables: [] })).toThrow(TrainerError);
    const t = new Trainer({ model, lr: 1e-3, batchSize: 2 });
    await expect(t.train([], { steps: 1 })).rejects.toThrow(/empty/);
    await expect(t.train([{ inputIds: [1, 2, 3], labels: [1, 2] }], { steps: 1 })).rejects.toThrow(/data\[0\]\.labels/);
    await t.train(examples(4, 1), { steps: 1 });
    await expect(t.train(examples(5, 1), { steps: 1 })).rejects.toThrow(/5 examples/);
    const stateDir = join(dir, 'mismatch');
    await t.saveState(stateDir);
    const other = new Trainer({ model, lr: 1e-3, seed: 7 });
    await expect(other.resume(stateDir)).rejects.toThrow(/seed/);
    const fewer = new Trainer({ model, lr: 1e-3, trainableVariables: [model.weights.get('model.norm.weight')!] });
    await expect(fewer.resume(stateDir)).rejects.toThrow(/variables/);
    await expect(t.resume(join(dir, 'nope'))).rejects.toThrow(/trainer_state\.json/);
    for (const x of [t, other, fewer]) x.dispose();
    model.dispose();
  });
});
