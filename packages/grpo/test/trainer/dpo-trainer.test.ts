import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryTrainerStore } from '@quarkmed/model';
import { DPOTrainer } from '../../src/trainer/dpo-trainer';
import type { RewardInput } from '../../src/trainer/reward-functions';
import { charTokenizer, maxDiff, tinyPolicy, useCpu, weightsOf } from './helpers';

beforeAll(useCpu);

const pairs = ['ab', 'cd', 'ef', 'gh'].map((p) => ({ prompt: p, chosen: 'aaa', rejected: 'bbb' }));

describe('DPOTrainer', () => {
  it('learns the preference with the sigmoid loss (softplus form, differentiable under tf.variableGrads)', async () => {
    const model = tinyPolicy();
    const store = new MemoryTrainerStore();
    const t = new DPOTrainer({ model, tokenizer: charTokenizer(), pairs, store, batchSize: 4, lr: 2e-2, config: { beta: 0.1, lossType: 'sigmoid', seed: 1 } });
    const { losses } = await t.train({ steps: 15 });
    const logs = store.logLines.map((l) => JSON.parse(l) as { metrics: Record<string, number> });
    expect(losses[0]).toBeCloseTo(Math.LN2, 5); // policy == reference at step 1: -log σ(0)
    expect(logs[0]!.metrics['rewards/margins']).toBeCloseTo(0, 6);
    expect(losses.every((l) => Number.isFinite(l))).toBe(true);
    expect(losses[14]!).toBeLessThan(0.5);
    expect(logs[14]!.metrics['rewards/margins']).toBeGreaterThan(0);
    expect(logs[14]!.metrics['rewards/accuracies']).toBe(1);
    t.dispose();
    model.dispose();
  });

  it('sigmoid with label smoothing: the loss at zero margin is still log 2 and it keeps learning', async () => {
    const model = tinyPolicy();
    const store = new MemoryTrainerStore();
    const t = new DPOTrainer({ model, tokenizer: charTokenizer(), pairs, store, batchSize: 4, lr: 2e-2, config: { beta: 0.1, lossType: 'sigmoid', labelSmoothing: 0.1, seed: 1 } });
    const { losses } = await t.train({ steps: 10 });
    expect(losses[0]).toBeCloseTo(Math.LN2, 5); // -(1-ε) log σ(0) - ε log σ(0)
    const logs = store.logLines.map((l) => JSON.parse(l) as { metrics: Record<string, number> });
    expect(logs[9]!.metrics['rewards/margins']).toBeGreaterThan(0);
    expect(losses[9]!).toBeLessThan(losses[0]!);
    t.dispose();
    model.dispose();
  });

  it('learns the preference with the IPO loss: margin and accuracy rise from 0, the loss falls', async () => {
    const model = tinyPolicy();
    const store = new MemoryTrainerStore();
    const t = new DPOTrainer({ model, tokenizer: charTokenizer(), pairs, store, batchSize: 4, lr: 2e-2, config: { beta: 0.1, lossType: 'ipo', seed: 1 } });
    const { losses } = await t.train({ steps: 15 });
    const logs = store.logLines.map((l) => JSON.parse(l) as { metrics: Record<string, number> });
    expect(losses[0]).toBeCloseTo(25, 3); // policy == reference at step 1: (0 - 1/(2β))²
    expect(losses[14]!).toBeLessThan(20);
    expect(logs[14]!.metrics['rewards/margins']).toBeGreaterThan(0);
    expect(logs[14]!.metrics['rewards/accuracies']).toBe(1);
    t.dispose();
    model.dispose();
  });

  it('names bad pairs and config fields', () => {
    const model = tinyPolicy();
    expect(() => new DPOTrainer({ model, tokenizer: charTokenizer(), pairs: [] })).toThrow(/options.pairs/);
    expect(() => new DPOTrainer({ model, tokenizer: charTokenizer(), pairs: [{ prompt: 'a', chosen: 1 as never, rejected: 'b' }] })).toThrow(/options.pairs\[0\].chosen/);
    expect(() => new DPOTrainer({ model, tokenizer: charTokenizer(), pairs, config: { beta: -1 } })).toThrow(/beta/);
    model.dispose();
  });

  it('builds best-vs-worst pairs from G samples and resumes exactly', async () => {
    const model = tinyPolicy();
    const fn = ({ completions }: RewardInput) => completions.map((c) => c.length);
    const built = await DPOTrainer.pairsFromSamples({ model, tokenizer: charTokenizer(), dataset: [{ prompt: 'ab' }, { prompt: 'cd' }], rewardFuncs: [{ name: 'len', fn }], numGenerations: 4, sampling: { temperature: 1, topP: 1, topK: 0, repetitionPenalty: 1, maxCompletionLength: 6 }, seed: 2 });
    for (const p of built) expect(p.chosen.length).toBeGreaterThan(p.rejected.length);
    const run = async (store: MemoryTrainerStore, steps: number, resume: boolean) => {
      const m = tinyPolicy({}, 5);
      const t = new DPOTrainer({ model: m, tokenizer: charTokenizer(), pairs, store, batchSize: 2, lr: 1e-2, checkpointEvery: 2, config: { seed: 3, lossType: 'sigmoid' } });
      if (resume) await t.resume();
      await t.train({ steps });
      return m;
    };
    const full = await run(new MemoryTrainerStore(), 4, false);
    const store = new MemoryTrainerStore();
    (await run(store, 2, false)).dispose();
    const resumed = await run(store, 2, true);
    expect(maxDiff(await weightsOf(full), await weightsOf(resumed))).toBeLessThan(1e-6);
    model.dispose();
  });
});
