/**
 * `config.minP` reaches the model's generator: the rollout's `generate` call is observed (the real generator
 * still runs), and the processing it applies is `@quarkmed/model`'s `processLogits` (unit-tested there).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { GenerateOptions } from '@quarkmed/model';

const seen: GenerateOptions[] = [];
vi.mock('@quarkmed/model', async (importOriginal) => {
  const orig = await importOriginal<typeof import('@quarkmed/model')>();
  return {
    ...orig,
    generate: (model: never, prompts: never, options: GenerateOptions) => {
      seen.push(options);
      return orig.generate(model, prompts, options);
    },
  };
});

const { GRPOTrainer } = await import('../../src/trainer/grpo-trainer');
const { charTokenizer, tinyPolicy, useCpu } = await import('./helpers');

beforeAll(useCpu);

describe('GRPOTrainer minP', () => {
  const prompts = ['ab', 'cd'].map((p) => ({ prompt: p }));
  const reward = { name: 'len', fn: ({ completions }: { completions: readonly string[] }) => completions.map((c) => c.length) };
  const run = async (config: Record<string, unknown>): Promise<GenerateOptions> => {
    seen.length = 0;
    const model = tinyPolicy();
    const t = new GRPOTrainer({ model, tokenizer: charTokenizer(), trainDataset: prompts, rewardFuncs: [reward], seed: 1, config: { numGenerations: 2, perDeviceTrainBatchSize: 4, maxCompletionLength: 4, ...config } });
    await t.train({ steps: 1 });
    t.dispose();
    model.dispose();
    expect(seen.length).toBeGreaterThan(0);
    return seen[0]!;
  };

  it('passes config.minP with the other sampling options to generate', async () => {
    const o = await run({ minP: 0.1, temperature: 0.9, topK: 5 });
    expect(o.minP).toBe(0.1);
    expect(o.temperature).toBe(0.9);
    expect(o.topK).toBe(5);
  });

  it('passes no minP when the config leaves it null (TRL default)', async () => {
    const o = await run({});
    expect(o.minP).toBeUndefined();
  });
});
