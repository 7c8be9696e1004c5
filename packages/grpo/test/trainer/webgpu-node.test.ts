/**
 * GRPO and DPO steps on webgpu in Node (Dawn; Mesa llvmpipe on a machine without a GPU), of dense and
 * mixture-of-experts policies, agree with the same steps on cpu, and take no synchronous read of GPU memory (which Dawn in Node cannot do: tfjs' `readSync` needs
 * `OffscreenCanvas`). Skipped only with QUARKMED_SKIP_WEBGPU=1, as the other webgpu tests: a webgpu that fails to
 * start fails here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '@quarkmed/tensor-kernels';
import { MemoryTrainerStore } from '@quarkmed/model';
import { computePolicyLoss, resolveGrpoSettings } from '../../src/trainer/core-api';
import { GRPOTrainer } from '../../src/trainer/grpo-trainer';
import { DPOTrainer } from '../../src/trainer/dpo-trainer';
import { completionLogProbs, packSequences } from '../../src/trainer/policy-model';
import type { RewardInput } from '../../src/trainer/reward-functions';
import { watchGpuSyncReads } from '../helpers/gpu-sync-reads';
import { charTokenizer, maxDiff, tinyPolicy, weightsOf } from './helpers';

const SKIP_WEBGPU = process.env.QUARKMED_SKIP_WEBGPU === '1';
type Backend = 'cpu' | 'webgpu';

async function use(name: Backend): Promise<void> {
  const choice = await initBackend(name, { log: false, ...(name === 'webgpu' ? { allowSoftwareAdapter: true } : {}) });
  expect(choice.name).toBe(name);
  expect(tf.getBackend()).toBe(name);
}

/** Runs `fn` on `name`, counting synchronous GPU reads on webgpu. */
async function on<T>(name: Backend, fn: () => Promise<T>): Promise<{ value: T; gpuReads: number; where?: string }> {
  await use(name);
  if (name !== 'webgpu') return { value: await fn(), gpuReads: 0 };
  const watch = watchGpuSyncReads();
  try {
    return { value: await fn(), gpuReads: watch.counts.gpu, where: watch.counts.firstGpuStack };
  } finally {
    watch.stop();
  }
}

const flat = (m: Map<string, Float32Array>): Float32Array => Float32Array.from([...m.values()].flatMap((a) => Array.from(a)));
/** max |a − b| / max(|b|, 1) */
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let w = 0;
  for (let i = 0; i < b.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1));
  return w;
};

const prompts = ['ab', 'cd', 'ef', 'gh'].map((p) => ({ prompt: p }));
const countA = (seen: string[][]) => ({
  name: 'count_a',
  fn: ({ completions }: RewardInput) => {
    seen.push([...completions]);
    return completions.map((c) => (c.length ? [...c].filter((x) => x === 'a').length / c.length : 0));
  },
});

afterAll(async () => {
  await initBackend('cpu', { log: false });
});

describe.skipIf(SKIP_WEBGPU)('GRPO and DPO on webgpu in Node (Dawn) vs cpu', () => {
  it('a fixed GRPO batch (dapo, off-policy, beta > 0, entropy mask): loss, metrics and every weight gradient match cpu to 1e-4', async () => {
    const settings = resolveGrpoSettings({ lossType: 'dapo', beta: 0.04, topEntropyQuantile: 0.6, epsilon: 0.1, maskTruncatedCompletions: true, temperature: 0.9 });
    const seq = packSequences([[1, 2, 3], [4, 5], [6], [7, 8, 9]], [[10, 0, 11, 34], [12, 13], [0, 0, 0, 0, 0, 14], [15, 16, 17]], 36);
    const [B, C] = [seq.rows, seq.completionLength];
    const shift = Float32Array.from({ length: B * C }, (_, i) => 0.3 * Math.sin(i));
    const run = async () => {
      const model = tinyPolicy({}, 21);
      const vars = [...model.weights.values()];
      // old and reference log-probs: constants from the host, as the trainer keeps them
      const current = tf.tidy(() => completionLogProbs(model, seq, { temperature: settings.temperature }).logProbs);
      const base = (await current.data()) as Float32Array;
      current.dispose();
      const old = base.map((v, i) => v + shift[i]!);
      const ref = base.map((v) => v - 0.2);
      let metrics: Record<string, tf.Scalar> = {};
      const { value, grads } = tf.variableGrads(() => {
        const { logProbs, entropies } = completionLogProbs(model, seq, { temperature: settings.temperature, entropy: true, training: true });
        const out = computePolicyLoss(
          {
            logProbs,
            oldLogProbs: tf.tensor2d(old, [B, C]),
            refLogProbs: tf.tensor2d(ref, [B, C]),
            advantages: tf.tensor1d([1.2, -0.4, 0.7, -1.5]),
            completionMask: tf.tensor2d(seq.completionMask, [B, C]),
            entropies: entropies!,
            truncated: [false, false, true, false],
            numItemsInBatch: 9,
          },
          settings,
        );
        for (const m of Object.values(out.metrics)) if (m instanceof tf.Tensor) tf.keep(m);
        metrics = out.metrics as Record<string, tf.Scalar>;
        return out.loss;
      }, vars);
      const g = await Promise.all(vars.map(async (v) => Array.from((await grads[v.name]!.data()) as Float32Array)));
      const m: Record<string, number> = {};
      for (const [k, t] of Object.entries(metrics)) m[k] = (await t.data())[0]!;
      const loss = (await value.data())[0]!;
      tf.dispose([value, ...Object.values(grads), ...Object.values(metrics)]);
      model.dispose();
      return { loss, grads: g.flat(), metrics: m };
    };
    const cpu = await on('cpu', run);
    const gpu = await on('webgpu', run);
    expect(gpu.gpuReads, gpu.where).toBe(0);
    expect(Number.isFinite(cpu.value.loss)).toBe(true);
    expect(relErr([gpu.value.loss], [cpu.value.loss])).toBeLessThan(1e-4);
    expect(Object.keys(gpu.value.metrics).sort()).toEqual(Object.keys(cpu.value.metrics).sort());
    for (const k of Object.keys(cpu.value.metrics)) expect(relErr([gpu.value.metrics[k]!], [cpu.value.metrics[k]!]), k).toBeLessThan(1e-4);
    expect(cpu.value.grads.some((x) => x !== 0)).toBe(true);
    expect(relErr(gpu.value.grads, cpu.value.grads)).toBeLessThan(1e-4);
  });

  it('GRPOTrainer: 2 steps from the same seed sample the same completions and give the same losses and weights', async () => {
    const run = async () => {
      const model = tinyPolicy({}, 5);
      const seen: string[][] = [];
      const store = new MemoryTrainerStore();
      const t = new GRPOTrainer({
        model, tokenizer: charTokenizer(), trainDataset: prompts, rewardFuncs: [countA(seen)], store, lr: 1e-2, seed: 3, progress: false,
        config: { numGenerations: 4, perDeviceTrainBatchSize: 8, maxCompletionLength: 6, beta: 0.04, topEntropyQuantile: 0.8 },
      });
      const before = tf.memory().numTensors;
      const { losses } = await t.train({ steps: 2 });
      const grown = tf.memory().numTensors - before;
      const weights = flat(await weightsOf(model));
      const rewards = store.logLines.map((l) => (JSON.parse(l) as { metrics: Record<string, number> }).metrics['reward']!);
      t.dispose();
      model.dispose();
      return { losses, weights, seen, rewards, grown };
    };
    const cpu = await on('cpu', run);
    const gpu = await on('webgpu', run);
    expect(gpu.gpuReads, gpu.where).toBe(0);
    // The rollouts are sampled on each backend from the same seed: logits that differ by ~1e-6 pick the same tokens.
    expect(gpu.value.seen).toEqual(cpu.value.seen);
    expect(gpu.value.rewards.every(Number.isFinite)).toBe(true);
    expect(gpu.value.rewards).toEqual(cpu.value.rewards);
    gpu.value.losses.forEach((l, i) => expect(Math.abs(l - cpu.value.losses[i]!)).toBeLessThan(1e-4));
    expect(relErr(gpu.value.weights, cpu.value.weights)).toBeLessThan(1e-4);
    expect(gpu.value.grown).toBe(cpu.value.grown); // the same tensors kept (optimizer state, reference copy)
  });

  it('DPOTrainer: 2 sigmoid steps give the same losses and weights; the first loss is log 2', async () => {
    const pairs = ['ab', 'cd', 'ef', 'gh'].map((p) => ({ prompt: p, chosen: 'aaa', rejected: 'bcd' }));
    const run = async () => {
      const model = tinyPolicy({}, 8);
      const t = new DPOTrainer({ model, tokenizer: charTokenizer(), pairs, batchSize: 4, lr: 2e-2, config: { beta: 0.1, seed: 1 } });
      const { losses } = await t.train({ steps: 2 });
      const weights = await weightsOf(model);
      t.dispose();
      model.dispose();
      return { losses, weights };
    };
    const cpu = await on('cpu', run);
    const gpu = await on('webgpu', run);
    expect(gpu.gpuReads, gpu.where).toBe(0);
    expect(gpu.value.losses[0]).toBeCloseTo(Math.LN2, 5);
    gpu.value.losses.forEach((l, i) => expect(Math.abs(l - cpu.value.losses[i]!)).toBeLessThan(1e-4));
    expect(gpu.value.losses[1]!).toBeLessThan(gpu.value.losses[0]!);
    expect(maxDiff(gpu.value.weights, cpu.value.weights)).toBeLessThan(1e-4);
  });

  it('GRPOTrainer on a mixture-of-experts policy (routing on the device): 1 step, no synchronous GPU read, the same completions, loss and weights as cpu', async () => {
    const run = async () => {
      const model = tinyPolicy({ moe: { numExperts: 4, topK: 2 }, initStd: 0.1 }, 4);
      const seen: string[][] = [];
      const t = new GRPOTrainer({
        model, tokenizer: charTokenizer(), trainDataset: prompts, rewardFuncs: [countA(seen)], lr: 1e-2, seed: 2, progress: false,
        config: { numGenerations: 4, perDeviceTrainBatchSize: 8, maxCompletionLength: 5, beta: 0.04 },
      });
      const before = flat(await weightsOf(model));
      const { losses } = await t.train({ steps: 1 });
      const weights = flat(await weightsOf(model));
      t.dispose();
      model.dispose();
      return { losses, weights, before, seen };
    };
    const cpu = await on('cpu', run);
    const gpu = await on('webgpu', run);
    expect(gpu.gpuReads, gpu.where).toBe(0);
    expect(gpu.value.seen).toEqual(cpu.value.seen);
    expect(cpu.value.losses).toHaveLength(1);
    expect(Number.isFinite(cpu.value.losses[0]!)).toBe(true);
    expect(Math.abs(gpu.value.losses[0]! - cpu.value.losses[0]!)).toBeLessThan(1e-4);
    expect(relErr(cpu.value.weights, cpu.value.before)).toBeGreaterThan(1e-4); // the step changed the weights
    expect(relErr(gpu.value.weights, cpu.value.weights)).toBeLessThan(1e-4);
  });
});
