import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryTrainerStore, applyLora } from '@quarkmed/model';
import { multipleChoiceVerifier } from '@quarkmed/verifier';
import { GrpoConfigError } from '../../src/config/config-error';
import { GRPOTrainer } from '../../src/trainer/grpo-trainer';
import { GrpoTrainerError, RewardFunctionError } from '../../src/trainer/errors';
import { normalizeRewardFunctions, scoreCompletions, type RewardInput } from '../../src/trainer/reward-functions';
import { formatRewardFunction, verifierReward } from '../../src/trainer/verifier-rewards';
import { completionLogProbs, packSequences } from '../../src/trainer/policy-model';
import { PromptSampler } from '../../src/trainer/prompt-sampler';
import { charTokenizer, maxDiff, tinyPolicy, useCpu, weightsOf } from './helpers';

const prompts = ['ab', 'cd', 'ef', 'gh', 'ij', 'kl', 'mn', 'op'].map((p) => ({ prompt: p }));
/** Reward: fraction of 'a' characters in the completion (a dense, learnable signal). */
const countA = { name: 'count_a', fn: ({ completions }: RewardInput) => completions.map((c) => (c.length ? [...c].filter((x) => x === 'a').length / c.length : 0)) };

function input(completions: string[]): RewardInput<{ prompt: string; ref?: string }> {
  return { prompts: completions.map(() => 'p'), completions, completionIds: completions.map(() => []), examples: completions.map((_, i) => ({ prompt: 'p', ref: i === 1 ? undefined : 'B' })), finishReasons: completions.map(() => 'stop') };
}

beforeAll(useCpu);

describe('reward functions', () => {
  it('runs sync and async functions, maps NaN to null, names anonymous ones', async () => {
    const funcs = normalizeRewardFunctions([(i: RewardInput) => i.completions.map(() => 1), { name: 'judge', fn: async (i: RewardInput) => i.completions.map((_, k) => (k === 0 ? NaN : 0.5)) }]);
    expect(funcs.map((f) => f.name)).toEqual(['reward_0', 'judge']);
    expect(await scoreCompletions(funcs, input(['x', 'y']))).toEqual([[1, 1], [null, 0.5]]);
  });
  it('names the function that returns the wrong count, a bad value or throws', async () => {
    const bad = (fn: (i: RewardInput) => unknown) => scoreCompletions(normalizeRewardFunctions([{ name: 'bad', fn: fn as never }]), input(['x', 'y']));
    await expect(bad(() => [1])).rejects.toThrow(/reward function "bad": returned 1 rewards for 2 completions/);
    await expect(bad(() => [1, Infinity])).rejects.toThrow(/completion 1 must be a finite number or null/);
    await expect(bad(() => { throw new Error('down'); })).rejects.toThrow(RewardFunctionError);
    expect(() => normalizeRewardFunctions([])).toThrow(RewardFunctionError);
    expect(() => normalizeRewardFunctions([{ name: '', fn: () => [] }])).toThrow(/rewardFuncs\[0\]/);
  });
  it('adapts a verifier (null without a reference) and the format reward', async () => {
    const mc = verifierReward(multipleChoiceVerifier, { referenceOf: (ex: { ref?: string }) => (ex.ref ? { answer: ex.ref } : null) });
    const fmt = formatRewardFunction({ schema: { type: 'object', required: ['answer'] } });
    const [r] = await scoreCompletions([mc], input(['{"answer": "B"}', '{"answer": "B"}', '{"answer": "C"}']));
    expect(r).toEqual([1, null, 0]);
    const [f] = await scoreCompletions([fmt], input(['{"answer": "B"}', 'B', '{"x": 1}']));
    expect(f![0]).toBe(1);
    expect(f![1]).toBe(0);
    expect(f![2]).toBeCloseTo(0.5);
  });
});

describe('prompt sampler', () => {
  it('is seeded, covers every prompt per epoch and drops mastered prompts from later epochs', () => {
    const a = new PromptSampler([0, 1, 2, 3], 7, { masteredPassRate: 1 });
    const b = new PromptSampler([0, 1, 2, 3], 7, { masteredPassRate: 1 });
    const e0 = a.next(4);
    expect(b.next(4)).toEqual(e0);
    expect([...e0].sort()).toEqual([0, 1, 2, 3]);
    a.record(2, 1);
    a.record(1, 0.5);
    const e1 = a.next(3);
    expect([...e1].sort()).toEqual([0, 1, 3]);
    const st = a.getState();
    const c = new PromptSampler([0, 1, 2, 3], 7, { masteredPassRate: 1 });
    c.setState(st);
    expect(c.next(5)).toEqual(a.next(5));
  });
});

describe('completion log-probs', () => {
  it('equal LlamaModel.logProbs on the completion positions (temperature 1) and scale logits by 1/T', async () => {
    const model = tinyPolicy();
    const seq = packSequences([[1, 2, 3], [4, 5]], [[6, 7], [8, 9, 10]], 0);
    const T = seq.promptLength + seq.completionLength;
    const ours = tf.tidy(() => completionLogProbs(model, seq, { temperature: 1 }).logProbs.arraySync());
    const ref = tf.tidy(() => model.logProbs(tf.tensor2d(seq.ids, [2, T], 'int32'), tf.tensor2d(seq.attentionMask, [2, T], 'int32')).arraySync());
    for (let r = 0; r < 2; r++) for (let j = 0; j < seq.completionLength; j++) {
      if (seq.completionMask[r * seq.completionLength + j]) expect(ours[r]![j]!).toBeCloseTo(ref[r]![seq.promptLength - 1 + j]!, 5);
    }
    const hot = tf.tidy(() => completionLogProbs(model, seq, { temperature: 0.5 }).logProbs.arraySync());
    expect(hot[0]![0]).not.toBeCloseTo(ours[0]![0]!, 3);
    model.dispose();
  });
});

describe('GRPOTrainer', () => {
  it('validates config and options, naming the field', () => {
    const model = tinyPolicy();
    const base = { model, tokenizer: charTokenizer(), trainDataset: prompts, rewardFuncs: [countA] };
    expect(() => new GRPOTrainer({ ...base, config: { epsilon: 0.2, epsilonHigh: 0.1 } })).toThrow(GrpoConfigError);
    expect(() => new GRPOTrainer({ ...base, config: { minP: 1.5 } })).toThrow(/minP/);
    expect(() => new GRPOTrainer({ ...base, config: { minP: 0.1 } })).not.toThrow(); // passed to the generator (test/trainer/min-p.test.ts)
    expect(() => new GRPOTrainer({ ...base, config: { rewardWeights: [1, 2] } })).toThrow(/rewardWeights/);
    expect(() => new GRPOTrainer({ ...base, trainDataset: [] })).toThrow(GrpoTrainerError);
    expect(() => new GRPOTrainer({ ...base, trainDataset: [{ prompt: 3 as never }] })).toThrow(/trainDataset\[0\].prompt/);
    expect(() => new GRPOTrainer({ ...base, pass: { rewardFunction: 'nope' } })).toThrow(/options.pass.rewardFunction/);
    model.dispose();
  });

  it('trains through the Trainer, logs TRL metric names to the JSONL log, keeps the tensor count flat', async () => {
    const model = tinyPolicy();
    const store = new MemoryTrainerStore();
    const t = new GRPOTrainer({
      model, tokenizer: charTokenizer(), trainDataset: prompts, rewardFuncs: [countA], store, lr: 1e-2, seed: 3,
      config: { numGenerations: 4, perDeviceTrainBatchSize: 8, maxCompletionLength: 6, beta: 0.04 },
    });
    expect(t.reference?.kind).toBe('copy');
    await t.train({ steps: 2 });
    const n0 = tf.memory().numTensors;
    await t.train({ steps: 3 });
    expect(tf.memory().numTensors).toBe(n0);
    const logs = store.logLines.map((l) => JSON.parse(l) as { step: number; metrics: Record<string, number> });
    expect(logs.map((l) => l.step)).toEqual([1, 2, 3, 4, 5]);
    for (const key of ['reward', 'reward_std', 'rewards/count_a/mean', 'rewards/count_a/std', 'frac_reward_zero_std', 'kl', 'entropy', 'clip_ratio/region_mean', 'completions/mean_length', 'completions/min_length', 'completions/max_length', 'completions/clipped_ratio', 'completions/mean_terminated_length', 'timing/generation_s', 'timing/scoring_s', 'timing/update_s']) {
      expect(logs[4]!.metrics[key], key).toBeTypeOf('number');
    }
    expect(logs[0]!.metrics['kl']).toBeCloseTo(0, 6); // first step: policy == reference
    expect(logs[4]!.metrics['kl']).toBeGreaterThan(0);
    t.dispose();
    model.dispose();
  });

  it('beta = 0 builds no reference; LoRA uses the adapters-disabled base as reference', () => {
    const model = tinyPolicy();
    const base = { model, tokenizer: charTokenizer(), trainDataset: prompts, rewardFuncs: [countA], config: { numGenerations: 4 } };
    expect(new GRPOTrainer(base).reference).toBeUndefined();
    const lora = applyLora(model, { r: 2, targetModules: ['q_proj', 'v_proj'] });
    const t = new GRPOTrainer({ ...base, lora, config: { numGenerations: 4, beta: 0.1 } });
    expect(t.reference?.kind).toBe('adapters-disabled');
    expect(() => new GRPOTrainer({ ...base, lora, config: { numGenerations: 4, beta: 0.1, syncRefModel: true } })).toThrow(/syncRefModel/);
    model.dispose();
  });

  it('off-policy (numIterations 2): reuses a generation batch and its old log-probs, clipping engages', async () => {
    const model = tinyPolicy();
    const store = new MemoryTrainerStore();
    let rollouts = 0;
    const t = new GRPOTrainer({
      model, tokenizer: charTokenizer(), trainDataset: prompts, store, lr: 5e-2, seed: 4,
      rewardFuncs: [{ name: 'count_a', fn: (i: RewardInput) => { rollouts++; return countA.fn(i); } }],
      config: { numGenerations: 4, perDeviceTrainBatchSize: 8, numIterations: 2, maxCompletionLength: 6, epsilon: 0.01 },
    });
    await t.train({ steps: 4 });
    expect(rollouts).toBe(2);
    const logs = store.logLines.map((l) => JSON.parse(l) as { metrics: Record<string, number> });
    expect(logs[0]!.metrics['clip_ratio/region_mean']).toBe(0); // first use: ratio 1
    expect(logs[0]!.metrics['reward']).toBeTypeOf('number');
    expect(logs[1]!.metrics['reward']).toBeUndefined(); // reused batch: no new generation
    expect(logs[1]!.metrics['timing/generation_s']).toBe(0);
    expect(logs[1]!.metrics['clip_ratio/region_mean']).toBeGreaterThan(0);
    t.dispose();
    model.dispose();
  });

  it('counts zero-std groups and replaces them with fresh prompts (dynamic sampling)', async () => {
    const model = tinyPolicy();
    const store = new MemoryTrainerStore();
    // Prompts starting with 'a' always get reward 1: zero spread.
    const data = [...prompts, ...['aa', 'ab', 'ac', 'ad'].map((p) => ({ prompt: p }))];
    const fn = ({ completions, prompts: ps }: RewardInput) => completions.map((c, i) => (ps[i]!.startsWith('a') ? 1 : c.length % 2));
    const t = new GRPOTrainer({ model, tokenizer: charTokenizer(), trainDataset: data, store, seed: 5, rewardFuncs: [{ name: 'r', fn }], dynamicSampling: { replace: true, maxRounds: 4 }, config: { numGenerations: 4, perDeviceTrainBatchSize: 8, maxCompletionLength: 5 } });
    await t.train({ steps: 3 });
    const m = store.logLines.map((l) => (JSON.parse(l) as { metrics: Record<string, number> }).metrics);
    expect(m.some((x) => x['frac_reward_zero_std']! > 0)).toBe(true);
    expect(m.every((x) => typeof x['dynamic_sampling/replaced_groups'] === 'number')).toBe(true);
    t.dispose();
    model.dispose();
  });

  it('difficulty filter drops prompts always or never solved', async () => {
    const model = tinyPolicy();
    const data = ['aa', 'bb', 'cc', 'dd'].map((p) => ({ prompt: p }));
    const fn = ({ prompts: ps, completions }: RewardInput) => completions.map((c, i) => (ps[i] === 'aa' ? 1 : ps[i] === 'bb' ? 0 : c.length % 2));
    const t = new GRPOTrainer({ model, tokenizer: charTokenizer(), trainDataset: data, seed: 6, rewardFuncs: [{ name: 'r', fn }], difficultyFilter: { samples: 8, maxPassRate: 1 }, config: { numGenerations: 2, perDeviceTrainBatchSize: 2, maxCompletionLength: 5 } });
    await t.train({ steps: 1 });
    expect(t.difficultyReport!.passRates[0]).toBe(1);
    expect(t.difficultyReport!.passRates[1]).toBe(0);
    expect(t.difficultyReport!.kept).not.toContain(0);
    expect(t.difficultyReport!.kept).not.toContain(1);
    t.dispose();
    model.dispose();
  });

  it('resume: 2k steps equal k steps + save + fresh trainer resume + k steps (weights to 1e-6)', async () => {
    const make = (store: MemoryTrainerStore) => {
      const model = tinyPolicy({}, 9);
      const t = new GRPOTrainer({
        model, tokenizer: charTokenizer(), trainDataset: prompts, rewardFuncs: [countA], store, lr: 1e-2, seed: 11, checkpointEvery: 3,
        config: { numGenerations: 4, perDeviceTrainBatchSize: 4, gradientAccumulationSteps: 2, stepsPerGeneration: 4, maxCompletionLength: 5, beta: 0.02 },
      });
      return { model, t };
    };
    const a = make(new MemoryTrainerStore());
    await a.t.train({ steps: 6 });
    const wa = await weightsOf(a.model);
    const store = new MemoryTrainerStore();
    const b = make(store);
    await b.t.train({ steps: 3 });
    b.t.dispose();
    b.model.dispose();
    const c = make(store);
    expect(await c.t.resume()).toBe('checkpoint-3');
    await c.t.train({ steps: 3 });
    expect(maxDiff(wa, await weightsOf(c.model))).toBeLessThan(1e-6);
    for (const x of [a, c]) {
      x.t.dispose();
      x.model.dispose();
    }
  });
});
