import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryTrainerStore } from '@quarkmed/model';
import { DPOTrainer } from '../../src/trainer/dpo-trainer';
import { completionLogProbsHost, packSequences } from '../../src/trainer/policy-model';
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

  /** Per-row masked sums, token counts and log-probs of `completions` after each prompt under `model`, on the host. */
  async function rowStats(model: ReturnType<typeof tinyPolicy>, prompts: string[], completions: string[]) {
    const tok = charTokenizer();
    const seq = packSequences(
      prompts.map((p) => tok.encode(p)),
      completions.map((c) => [...tok.encode(c), tok.eosTokenId!]),
      tok.padTokenId!,
    );
    const lp = await completionLogProbsHost(model, seq, 1);
    const C = seq.completionLength;
    return prompts.map((_, r) => {
      let sum = 0;
      let n = 0;
      for (let j = 0; j < C; j++) {
        sum += lp[r * C + j]! * seq.completionMask[r * C + j]!;
        n += seq.completionMask[r * C + j]!;
      }
      return { sum, n };
    });
  }

  it("IPO compares length-averaged sequence log-probs (TRL), sigmoid summed ones: step 1's loss from the model's own log-probs", async () => {
    // Reference-free, so that the margin at step 1 is not 0; completions of different lengths, so that sum ≠ mean.
    const uneven = [{ prompt: 'ab', chosen: 'aaaaaa', rejected: 'b' }, { prompt: 'cd', chosen: 'c', rejected: 'dddd' }];
    const model = tinyPolicy();
    const chosen = await rowStats(model, uneven.map((p) => p.prompt), uneven.map((p) => p.chosen));
    const rejected = await rowStats(model, uneven.map((p) => p.prompt), uneven.map((p) => p.rejected));
    const beta = 0.5;
    const ipo = uneven.map((_, i) => (chosen[i]!.sum / chosen[i]!.n - rejected[i]!.sum / rejected[i]!.n - 1 / (2 * beta)) ** 2);
    const sig = uneven.map((_, i) => Math.log1p(Math.exp(-beta * (chosen[i]!.sum - rejected[i]!.sum))));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const [lossType, expected] of [['ipo', mean(ipo)], ['sigmoid', mean(sig)]] as const) {
      const t = new DPOTrainer({ model, tokenizer: charTokenizer(), pairs: uneven, batchSize: 2, lr: 1e-9, config: { beta, lossType, referenceFree: true, seed: 1 } });
      const { losses } = await t.train({ steps: 1 });
      expect(losses[0]).toBeCloseTo(expected, 4);
      t.dispose();
    }
    model.dispose();
  });

  it('rpoAlpha adds α × the chosen tokens\' mean NLL (logged as nll_loss), and keeps the chosen likelihood from falling', async () => {
    const model = tinyPolicy();
    const chosen = await rowStats(model, pairs.map((p) => p.prompt), pairs.map((p) => p.chosen));
    const nll = -chosen.reduce((a, r) => a + r.sum, 0) / chosen.reduce((a, r) => a + r.n, 0);
    const store = new MemoryTrainerStore();
    const t = new DPOTrainer({ model, tokenizer: charTokenizer(), pairs, store, batchSize: 4, lr: 2e-2, config: { beta: 0.1, rpoAlpha: 1, seed: 1 } });
    const { losses } = await t.train({ steps: 15 });
    const logs = store.logLines.map((l) => JSON.parse(l) as { metrics: Record<string, number> });
    expect(losses[0]).toBeCloseTo(Math.LN2 + nll, 4); // policy == reference: log 2, plus α·NLL
    expect(logs[0]!.metrics['nll_loss']).toBeCloseTo(nll, 4);
    expect(logs[14]!.metrics['nll_loss']).toBeLessThan(logs[0]!.metrics['nll_loss']!); // the chosen completions got likelier
    expect(logs[14]!.metrics['rewards/margins']).toBeGreaterThan(0);
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
