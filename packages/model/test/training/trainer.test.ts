import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlamaConfig } from '../../src/config';
import { LlamaModel } from '../../src/decoder/llama';
import { cosineWithWarmup } from '../../src/training/schedule';
import { FileTrainerStore } from '../../src/node/trainer-store';
import { Trainer, type StepLog, type TrainExample } from '../../src/training/trainer';
import { TrainerError } from '../../src/training/trainer-error';
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
    const storeDir = join(dir, 'resume-store');
    const store = new FileTrainerStore(storeDir);
    const t2 = new Trainer({ model: first, ...opts, store });
    const part1 = await t2.train(data, { steps: 10 });
    expect(await t2.saveState('state')).toBe('state');
    await t2.saveState('state'); // overwriting an existing state works (atomic swap)
    const stateDir = join(storeDir, 'state');
    expect((await readdir(stateDir)).sort()).toEqual(['optimizer.safetensors', 'trainable.safetensors', 'trainer_state.json']);
    expect((await readdir(storeDir)).filter((f) => f.startsWith('.'))).toEqual([]); // no staging or old directories left
    const state = JSON.parse(await readFile(join(stateDir, 'trainer_state.json'), 'utf8'));
    // 10 steps x 2 micro x 3 examples = 60 examples = 6 epochs of 10 (the 6th ends exactly at the cursor)
    expect(state).toMatchObject({ version: 2, step: 10, seed: 42, data: { size: 10, epoch: 5, cursor: 10 } });

    const resumed = new LlamaModel(CONFIG, { seed: 1234 }); // different init: everything must come from the state
    const t3 = new Trainer({ model: resumed, ...opts, store: new FileTrainerStore(storeDir) });
    expect(await t3.resume('state')).toBe('state');
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
    const evalData = examples(3, 5);
    const opts = { lr: 1e-2, batchSize: 2 };
    const t = new Trainer({
      model,
      ...opts,
      evalEvery: 2,
      evalData,
      checkpointEvery: 3,
      store: new FileTrainerStore(ckDir, { logFile }),
      onStep: (l) => logs.push(l),
    });
    function* batches(): Generator<{ inputIds: number[][]; labels: number[][] }> {
      for (let i = 0; i < 3; i++) yield { inputIds: [[1, 2, 3, 4], [5, 6, 7, 8]], labels: [[1, 2, 3, 4], [5, 6, 7, -100]] };
    }
    const r = await t.train(batches(), { steps: 3 });
    expect(r.step).toBe(3);
    expect(logs.map((l) => l.step)).toEqual([1, 2, 3]);
    expect(logs[0]!.numItems).toBe(5); // shifted labels: 3 + 2 positions count
    expect(logs[0]!.evalLoss).toBeUndefined();
    expect(r.evalLosses.map(([s]) => s)).toEqual([2]);
    // the logged evaluation is the evaluation of the weights after step 2: replay 2 steps on a twin and evaluate
    const twin = new LlamaModel(CONFIG, { seed: 3 });
    const tt = new Trainer({ model: twin, ...opts });
    await tt.train(batches(), { steps: 2 });
    expect(Math.abs(logs[1]!.evalLoss! - (await tt.evaluate(evalData)))).toBeLessThan(1e-6);
    expect(logs[2]!.checkpoint).toBe('checkpoint-3');
    expect((await readdir(ckDir)).filter((f) => !f.startsWith('.')).sort()).toEqual(['checkpoint-3']);
    expect(await t.store.listCheckpoints()).toEqual(['checkpoint-3']);
    const lines = (await readFile(logFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3]);
    expect(lines.map((l) => l.loss)).toEqual(logs.map((l) => l.loss));
    expect(lines[1].evalLoss).toBe(logs[1]!.evalLoss);
    await expect(t.train(batches(), { steps: 4 })).rejects.toThrow(/ran out/);
    for (const x of [t, tt]) x.dispose();
    for (const m of [model, twin]) m.dispose();
  });

  it('leaks no tensors across steps, evaluation and save/resume', async () => {
    const model = new LlamaModel(CONFIG, { seed: 12 });
    const data = examples(6, 2, 4, 8);
    const t = new Trainer({ model, lr: 1e-2, batchSize: 2, gradAccumulationSteps: 2 });
    await t.train(data, { steps: 1 });
    const before = tf.memory().numTensors;
    await t.train(data, { steps: 2 });
    await t.evaluate(data);
    await t.saveState('leak');
    await t.resume('leak');
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
    model.dispose();
  });

  it('rejects bad options, data and mismatched resumes, naming them', async () => {
    const model = new LlamaModel(CONFIG, { seed: 4 });
    expect(() => new Trainer({ model, lr: -1 })).toThrow(/options\.lr/);
    expect(() => new Trainer({ model, lr: 1, gradAccumulationSteps: 0 })).toThrow(/gradAccumulationSteps/);
    expect(() => new Trainer({ model, lr: 1, checkpointEvery: 0 })).toThrow(/checkpointEvery/);
    expect(() => new Trainer({ model, lr: 1, store: {} as never })).toThrow(/options\.store/);
    expect(() => new Trainer({ model: { weights: 1 } as never, lr: 1 })).toThrow(/options\.model/);
    expect(() => new Trainer({ model: {}, lr: 1, computeLoss: () => tf.scalar(0) })).toThrow(/trainableVariables/);
    expect(() => new Trainer({ model, lr: 1, evalEvery: 2 })).toThrow(/evalData/);
    expect(() => new Trainer({ model, lr: 1, trainableVariables: [] })).toThrow(TrainerError);
    const t = new Trainer({ model, lr: 1e-3, batchSize: 2 });
    await expect(t.train([], { steps: 1 })).rejects.toThrow(/empty/);
    await expect(t.train([{ inputIds: [1, 2, 3], labels: [1, 2] }], { steps: 1 })).rejects.toThrow(/data\[0\]\.labels/);
    await t.train(examples(4, 1), { steps: 1 });
    await expect(t.train(examples(5, 1), { steps: 1 })).rejects.toThrow(/5 examples/);
    const store = new FileTrainerStore(join(dir, 'mismatch'));
    await expect(new Trainer({ model, lr: 1e-3, store }).resume()).rejects.toThrow(/no checkpoint/);
    await t.saveState('x');
    await store.saveState('x', await t.store.loadState('x'));
    const other = new Trainer({ model, lr: 1e-3, seed: 7, store });
    await expect(other.resume('x')).rejects.toThrow(/seed/);
    const fewer = new Trainer({ model, lr: 1e-3, trainableVariables: [model.weights.get('model.norm.weight')!], store });
    await expect(fewer.resume('x')).rejects.toThrow(/variables/);
    await expect(other.resume('nope')).rejects.toThrow(/nope\/trainer_state\.json/);
    await expect(t.resume('nope')).rejects.toThrow(/nope: no trainer state/);
    await expect(t.saveState('../escape')).rejects.toThrow(/state name/);
    // a torn state (optimizer file of another save) is refused, naming the file
    const files = new Map(await t.store.loadState('x'));
    await t.train(examples(4, 1), { steps: 1 });
    await t.saveState('y');
    files.set('optimizer.safetensors', (await t.store.loadState('y')).get('optimizer.safetensors')!);
    await t.store.saveState('torn', files);
    await expect(t.resume('torn')).rejects.toThrow(/torn\/optimizer\.safetensors.*two saves/);
    files.delete('trainable.safetensors');
    await t.store.saveState('partial', files);
    await expect(t.resume('partial')).rejects.toThrow(/partial\/trainable\.safetensors: missing/);
    for (const x of [t, other, fewer]) x.dispose();
    model.dispose();
  });
});
