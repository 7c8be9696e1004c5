/**
 * The Trainer with a custom loss hook (a linear-regression objective on non-LM batches): accumulation,
 * metrics, the seeded context rng, save/resume through the in-memory store, and learning the true weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LossContext } from '../../src/training/loss-hook';
import { Trainer, type StepLog } from '../../src/training/trainer';
import { MemoryTrainerStore } from '../../src/training/trainer-store';
import { Mulberry32 } from '../../src/training/rng';
import { useCpu } from './helpers';

beforeAll(useCpu);

interface Point {
  x: number[];
  y: number;
}
interface PointBatch {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
  n: number;
}
interface Linear {
  w: tf.Variable;
  b: tf.Variable;
}

const TRUE_W = [0.5, -1.25, 2];
const TRUE_B = 0.75;

function points(n: number, seed: number): Point[] {
  const rng = new Mulberry32(seed);
  return Array.from({ length: n }, () => {
    const x = TRUE_W.map(() => rng.next() * 2 - 1);
    return { x, y: x.reduce((s, v, i) => s + v * TRUE_W[i]!, TRUE_B) + (rng.next() - 0.5) * 0.01 };
  });
}

function linear(seed: number): Linear {
  const rng = new Mulberry32(seed);
  return {
    w: tf.variable(tf.tensor2d(TRUE_W.map(() => rng.next() - 0.5), [3, 1]), true, `w${seed}_${Math.random()}`),
    b: tf.variable(tf.zeros([1]), true, `b${seed}_${Math.random()}`),
  };
}

const collate = (ps: readonly Point[]): PointBatch => ({ x: tf.tensor2d(ps.map((p) => p.x)), y: tf.tensor1d(ps.map((p) => p.y)), n: ps.length });
const mse = (m: Linear, b: PointBatch): { loss: tf.Scalar; metrics: { mae: tf.Scalar } } => {
  const err = tf.sub(tf.reshape(tf.add(tf.matMul(b.x, m.w), m.b), [-1]), b.y);
  return { loss: tf.mean(tf.square(err)) as tf.Scalar, metrics: { mae: tf.mean(tf.abs(err)) as tf.Scalar } };
};

function trainer(model: Linear, options: { batchSize: number; gradAccumulationSteps?: number; lr?: number; store?: MemoryTrainerStore; seen?: number[]; onStep?: (log: StepLog) => void }): Trainer<PointBatch, Point, Linear> {
  return new Trainer<PointBatch, Point, Linear>({
    model,
    trainableVariables: new Map([
      ['w', model.w],
      ['b', model.b],
    ]),
    computeLoss: (m, b, ctx: LossContext) => {
      options.seen?.push(ctx.rng.next());
      return mse(m, b);
    },
    dataCollator: collate,
    batchWeight: (b) => b.n,
    lr: options.lr ?? 0.05,
    batchSize: options.batchSize,
    gradAccumulationSteps: options.gradAccumulationSteps ?? 1,
    weightDecay: 0,
    seed: 3,
    shuffle: false,
    ...(options.store ? { store: options.store } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
}

describe('Trainer with a custom loss hook', () => {
  it('logs the exact loss and metrics of the first step, and accumulates weighted (2 x 3 == 6, ragged 5 == 3 + 2)', async () => {
    const data = points(6, 1);
    const a = linear(7);
    const w0 = Array.from(a.w.dataSync());
    const logs: { loss: number; mae: number; numItems: number }[] = [];
    const ta = trainer(a, { batchSize: 3, gradAccumulationSteps: 2, onStep: (l) => logs.push({ loss: l.loss, mae: l.metrics!.mae!, numItems: l.numItems }) });
    await ta.train(data, { steps: 4 });
    // by hand: mean squared / absolute error of the initial weights over all six points
    const errs = data.map((p) => p.x.reduce((s, v, i) => s + v * w0[i]!, 0) - p.y);
    expect(logs[0]!.loss).toBeCloseTo(errs.reduce((s, e) => s + e * e, 0) / 6, 6);
    expect(logs[0]!.mae).toBeCloseTo(errs.reduce((s, e) => s + Math.abs(e), 0) / 6, 6);
    expect(logs.map((l) => l.numItems)).toEqual([6, 6, 6, 6]);
    const b = linear(7);
    const tb = trainer(b, { batchSize: 6 });
    const rb = await tb.train(data, { steps: 4 });
    rb.losses.forEach((l, i) => expect(Math.abs(l - logs[i]!.loss)).toBeLessThan(1e-6));
    const diff = (x: tf.Tensor, y: tf.Tensor): number => Math.max(...Array.from(tf.abs(tf.sub(x, y)).dataSync()));
    expect(diff(a.w, b.w)).toBeLessThan(1e-6);
    expect(diff(a.w, tf.tensor2d(w0, [3, 1]))).toBeGreaterThan(0.1); // 4 steps of lr 0.05 moved it
    // ragged: 5 points as micro-batches of 3 and 2 (the epoch boundary splits nothing with shuffle off)
    const five = points(5, 2);
    const c = linear(8);
    const d = linear(8);
    const tc = trainer(c, { batchSize: 5 });
    const td = new Trainer<PointBatch, readonly Point[], Linear>({
      model: d,
      trainableVariables: new Map([
        ['w', d.w],
        ['b', d.b],
      ]),
      computeLoss: mse,
      batchWeight: (bt) => bt.n,
      lr: 0.05,
      weightDecay: 0,
      gradAccumulationSteps: 2,
    });
    await tc.train(five, { steps: 1 });
    const bt = [collate(five.slice(0, 3)), collate(five.slice(3))];
    await td.train(bt.values(), { steps: 1 }); // an iterable of ready batches (the caller owns them)
    expect(diff(c.w, d.w)).toBeLessThan(1e-6);
    tf.dispose(bt.flatMap((x) => [x.x, x.y]));
    for (const t of [ta, tb, tc, td]) t.dispose();
    tf.dispose([a.w, a.b, b.w, b.b, c.w, c.b, d.w, d.b]);
  });

  it('gives the hook a seeded rng per (step, micro-batch), and 6 steps + save + resume + 6 equals 12 steps', async () => {
    const data = points(10, 4);
    const seenFull: number[] = [];
    const full = linear(5);
    const tFull = trainer(full, { batchSize: 4, gradAccumulationSteps: 2, seen: seenFull });
    const rFull = await tFull.train(data, { steps: 12 });
    expect(new Set(seenFull).size).toBe(seenFull.length); // every micro-batch draws its own stream

    const store = new MemoryTrainerStore();
    const seen: number[] = [];
    const first = linear(5);
    const t1 = trainer(first, { batchSize: 4, gradAccumulationSteps: 2, store, seen });
    const r1 = await t1.train(data, { steps: 6 });
    await t1.saveState();
    expect(await store.listCheckpoints()).toEqual(['checkpoint-6']);
    const resumed = linear(99); // other init: the weights come from the state
    const t2 = trainer(resumed, { batchSize: 4, gradAccumulationSteps: 2, store, seen });
    expect(await t2.resume()).toBe('checkpoint-6');
    const r2 = await t2.train(data, { steps: 6 });
    expect(seen).toEqual(seenFull);
    [...r1.losses, ...r2.losses].forEach((l, i) => expect(Math.abs(l - rFull.losses[i]!)).toBeLessThan(1e-7));
    expect(Math.max(...Array.from(tf.abs(tf.sub(full.w, resumed.w)).dataSync()))).toBeLessThan(1e-7);
    expect(store.logLines.map((l) => JSON.parse(l).step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const t of [tFull, t1, t2]) t.dispose();
    tf.dispose([full.w, full.b, first.w, first.b, resumed.w, resumed.b]);
  });

  it('learns the true weights: held-out MSE 100x below predicting the mean', async () => {
    const train = points(64, 10);
    const test = points(64, 11);
    const m = linear(12);
    const t = trainer(m, { batchSize: 16, lr: 0.05 });
    await t.train(train, { steps: 300 });
    const got = await t.evaluate(test);
    const meanY = train.reduce((s, p) => s + p.y, 0) / train.length;
    const baseline = test.reduce((s, p) => s + (p.y - meanY) ** 2, 0) / test.length; // best constant predictor
    expect(got).toBeLessThan(baseline / 100);
    Array.from(m.w.dataSync()).forEach((w, i) => expect(Math.abs(w - TRUE_W[i]!)).toBeLessThan(0.02));
    t.dispose();
    tf.dispose([m.w, m.b]);
  });

  it('names bad hooks and data', async () => {
    const m = linear(1);
    const vars = new Map([
      ['w', m.w],
      ['b', m.b],
    ]);
    const noCollator = new Trainer<PointBatch, Point, Linear>({ model: m, trainableVariables: vars, computeLoss: mse, lr: 0.1 });
    await expect(noCollator.train(points(4, 1), { steps: 1 })).rejects.toThrow(/options\.dataCollator/);
    const vector = new Trainer<PointBatch, Point, Linear>({ model: m, trainableVariables: vars, computeLoss: (mm, b) => tf.reshape(tf.add(tf.matMul(b.x, mm.w), mm.b), [-1]) as never, dataCollator: collate, lr: 0.1 });
    await expect(vector.train(points(4, 1), { steps: 1 })).rejects.toThrow(/scalar loss/);
    const badWeight = new Trainer<PointBatch, Point, Linear>({ model: m, trainableVariables: vars, computeLoss: mse, dataCollator: collate, batchWeight: () => -1, lr: 0.1 });
    const before = tf.memory().numTensors;
    await expect(badWeight.train(points(4, 1), { steps: 1 })).rejects.toThrow(/options\.batchWeight/);
    expect(tf.memory().numTensors).toBe(before); // the collated batch was freed
    expect(() => new Trainer({ model: m, trainableVariables: vars, computeLoss: 3 as never, lr: 0.1 })).toThrow(/options\.computeLoss/);
    for (const t of [noCollator, vector, badWeight]) t.dispose();
    tf.dispose([m.w, m.b]);
  });
});
