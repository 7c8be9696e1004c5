/**
 * Learning test: SFT cold start, then GRPO with the verifier's multiple-choice reward plus the format reward, on a
 * verifiable 4-option task built from the shipped knowledge-graph subset (`kg-chapter-task.ts`): "which ICD-10-CM
 * chapter block holds this disease's code?", answered as JSON (`{"answer": "B"}`), held-out diseases unseen in
 * training.
 *
 * Why this task: with diseases unseen in training, a drug-indication question has nothing a tiny model can infer
 * from the prompt. Here the answer follows from the prompt by a rule: the options are always the same four blocks
 * in the same order (A00-B99, C00-F99, G00-J99, K00-Z99), so the correct letter is a function of the first
 * character of the question's code. (A variant with shuffled options, where the correct option is the one code
 * sharing the question code's first letter, is a two-hop lookup this model did not learn within minutes: SFT stayed
 * at chance for 800 steps.)
 *
 * Schedule (fixed seed, wasm backend, 1 thread): 150 SFT steps with the model package's `Trainer` stop the cold
 * start part-way (the rule is learnt between steps ~140 and ~180), then 10 GRPO steps (G = 8, 8 prompts a step).
 * Measured here: SFT 41.6 % → GRPO 54.2 % on 214 held-out prompts (+12.6 points); majority letter 28.5 %, random
 * 25 %. DPO on the same budget (pairs built best-vs-worst from G samples of the same 80 prompts, 10 steps, same lr)
 * is printed beside it; only what is robust about it is asserted (it trains on real pairs, its implicit reward
 * margin turns positive, its accuracy is measured on the same held-out prompts). Measured: 68 pairs, DPO 0.0 %:
 * at this learning rate the sigmoid loss pushes the rejected completions (often malformed JSON that shares most
 * tokens with the chosen one) down so hard that the shared JSON prefix goes with them and greedy output loses the
 * format, the likelihood-displacement failure of DPO; GRPO's group-normalised advantages do not do that here.
 * RPO (`rpoAlpha: 1`, DPO plus the chosen completions' NLL) on the same pairs, steps and lr is the fix TRL offers
 * for that, and it is asserted: measured 51.9 % (+10.3 points over SFT), format kept (98.1 %).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@quarkmed/tensor-kernels';
import { LlamaModel, MemoryTrainerStore, Trainer, generate, type TrainExample } from '@quarkmed/model';
import { multipleChoiceVerifier } from '@quarkmed/verifier';
import { GRPOTrainer } from '../../src/trainer/grpo-trainer';
import { DPOTrainer } from '../../src/trainer/dpo-trainer';
import { formatRewardFunction, verifierReward } from '../../src/trainer/verifier-rewards';
import { chapterQuestions, charTokenizer, type ChapterQuestion } from './kg-chapter-task';

const SEED = 1;
const SFT_STEPS = 150;
const RL_STEPS = 10;
const RL_LR = 5e-4;
const G = 8;
const PROMPTS_PER_STEP = 8;
/** Points of held-out accuracy GRPO must add over the SFT policy. */
const MIN_GAIN = 0.1;
/** Points of held-out accuracy RPO (DPO + NLL, α = 1) must add over the SFT policy (measured: +10.3). */
const MIN_RPO_GAIN = 0.05;

let model: LlamaModel | undefined;
beforeAll(async () => {
  await initBackend('wasm', { threads: 1, log: false });
});
afterAll(() => model?.dispose());

function snapshot(m: LlamaModel): Map<string, { data: Float32Array; shape: number[] }> {
  return new Map([...m.weights].map(([k, v]) => [k, { data: Float32Array.from(v.dataSync() as Float32Array), shape: v.shape }]));
}

function restore(m: LlamaModel, w: Map<string, { data: Float32Array; shape: number[] }>): void {
  for (const [k, v] of m.weights) tf.tidy(() => v.assign(tf.tensor(w.get(k)!.data, w.get(k)!.shape, 'float32')));
}

describe('GRPO learning on a knowledge-graph task', () => {
  it(`raises held-out accuracy by >= ${MIN_GAIN * 100} points over the SFT policy; DPO on the same budget reported`, async () => {
    const start = performance.now();
    const { train, heldOut } = await chapterQuestions({ seed: SEED });
    expect(heldOut.length).toBeGreaterThanOrEqual(200);
    const trainDiseases = new Set(train.map((q) => q.entityId));
    expect(heldOut.every((q) => !trainDiseases.has(q.entityId))).toBe(true);
    const trainPrompts = new Set(train.map((q) => q.prompt));
    expect(heldOut.every((q) => !trainPrompts.has(q.prompt))).toBe(true);

    const counts = new Map<string, number>();
    for (const q of heldOut) counts.set(q.answer, (counts.get(q.answer) ?? 0) + 1);
    const majority = Math.max(...counts.values()) / heldOut.length;

    const tok = charTokenizer([...train, ...heldOut].map((q) => q.prompt + q.response).join(''));
    model = new LlamaModel(
      { vocabSize: tok.vocabSize, hiddenSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 128, maxSeqLen: 96, eosTokenId: tok.eosTokenId, padTokenId: tok.padTokenId },
      { seed: SEED },
    );
    const m = model;
    const accuracy = async (): Promise<{ acc: number; formatOk: number }> => {
      const res = await generate(m, heldOut.map((q) => tok.encode(q.prompt)), { maxNewTokens: 16, tokenizer: tok });
      let ok = 0;
      let fmt = 0;
      for (let i = 0; i < heldOut.length; i++) {
        ok += (await multipleChoiceVerifier.verify(res[i]!.text, { answer: heldOut[i]!.answer })).reward;
        fmt += /^\{"answer": "[ABCD]"\}$/.test(res[i]!.text) ? 1 : 0;
      }
      return { acc: ok / heldOut.length, formatOk: fmt / heldOut.length };
    };

    // SFT cold start: loss on the response (JSON answer + EOS) only.
    const example = (q: ChapterQuestion): TrainExample => {
      const p = tok.encode(q.prompt);
      const r = [...tok.encode(q.response), tok.eosTokenId];
      return { inputIds: [...p, ...r], labels: [...p.map(() => -100), ...r] };
    };
    const sft = new Trainer({ model: m, lr: 3e-3, batchSize: 32, seed: SEED, padTokenId: tok.padTokenId, weightDecay: 0 });
    await sft.train(train.map(example), { steps: SFT_STEPS });
    sft.dispose();
    const sftEval = await accuracy();
    const sftWeights = snapshot(m);

    const rewardFuncs = [
      verifierReward(multipleChoiceVerifier, { referenceOf: (q: ChapterQuestion) => ({ answer: q.answer }) }),
      formatRewardFunction<ChapterQuestion>({ schema: { type: 'object', required: ['answer'] } }),
    ];
    const grpoStore = new MemoryTrainerStore();
    const grpo = new GRPOTrainer({
      model: m, tokenizer: tok, trainDataset: train, rewardFuncs, lr: RL_LR, seed: SEED, store: grpoStore, progress: false,
      config: { numGenerations: G, perDeviceTrainBatchSize: G * PROMPTS_PER_STEP, maxCompletionLength: 16, temperature: 1, beta: 0 },
    });
    await grpo.train({ steps: RL_STEPS });
    grpo.dispose();
    const grpoEval = await accuracy();
    const grpoLogs = grpoStore.logLines.map((l) => JSON.parse(l) as { metrics: Record<string, number> });

    // DPO, same budget: the same number of prompts sampled G times by the SFT policy, best vs worst, same steps and lr.
    restore(m, sftWeights);
    const dpoPrompts = train.slice(0, RL_STEPS * PROMPTS_PER_STEP);
    const pairs = await DPOTrainer.pairsFromSamples({
      model: m, tokenizer: tok, dataset: dpoPrompts, rewardFuncs, numGenerations: G, seed: SEED, batchPrompts: PROMPTS_PER_STEP,
      sampling: { temperature: 1, topP: 1, topK: 0, repetitionPenalty: 1, maxCompletionLength: 16 },
    });
    const dpoStore = new MemoryTrainerStore();
    const dpo = new DPOTrainer({ model: m, tokenizer: tok, pairs, store: dpoStore, batchSize: PROMPTS_PER_STEP, lr: RL_LR, config: { beta: 0.1, lossType: 'sigmoid', seed: SEED } });
    await dpo.train({ steps: RL_STEPS });
    dpo.dispose();
    const dpoEval = await accuracy();
    const dpoLogs = dpoStore.logLines.map((l) => JSON.parse(l) as { metrics: Record<string, number> });

    // RPO (DPO + α·NLL of the chosen completions, α = 1 as in the RPO paper), same pairs, steps and lr.
    restore(m, sftWeights);
    const rpo = new DPOTrainer({ model: m, tokenizer: tok, pairs, batchSize: PROMPTS_PER_STEP, lr: RL_LR, config: { beta: 0.1, lossType: 'sigmoid', rpoAlpha: 1, seed: SEED } });
    await rpo.train({ steps: RL_STEPS });
    rpo.dispose();
    const rpoEval = await accuracy();
    const seconds = (performance.now() - start) / 1000;

    const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
    console.log(
      `[grpo learning] ${heldOut.length} held-out prompts (unseen diseases): random 25.0%, majority letter ${pct(majority)}, ` +
        `SFT (${SFT_STEPS} steps) ${pct(sftEval.acc)}, GRPO (+${RL_STEPS} steps) ${pct(grpoEval.acc)} (${(100 * (grpoEval.acc - sftEval.acc)).toFixed(1)} points), ` +
        `DPO (+${RL_STEPS} steps, ${pairs.length} pairs) ${pct(dpoEval.acc)} (format ${pct(dpoEval.formatOk)}), RPO α=1 ${pct(rpoEval.acc)} (format ${pct(rpoEval.formatOk)}); GRPO train reward ${grpoLogs[0]!.metrics['reward']!.toFixed(3)} → ${grpoLogs[RL_STEPS - 1]!.metrics['reward']!.toFixed(3)}; ${seconds.toFixed(1)} s`,
    );

    expect(grpoLogs).toHaveLength(RL_STEPS);
    expect(sftEval.formatOk).toBeGreaterThan(0.9); // the cold start taught the JSON format
    expect(sftEval.acc).toBeLessThan(0.6); // ...and only part of the rule: room for RL
    expect(grpoEval.acc - sftEval.acc).toBeGreaterThanOrEqual(MIN_GAIN);
    expect(grpoEval.acc).toBeGreaterThan(majority + MIN_GAIN);
    expect(grpoEval.formatOk).toBeGreaterThan(0.9);
    // DPO: what holds whatever its accuracy does.
    expect(pairs.length).toBeGreaterThanOrEqual(RL_STEPS);
    expect(dpoLogs).toHaveLength(RL_STEPS);
    expect(dpoLogs[RL_STEPS - 1]!.metrics['rewards/margins']).toBeGreaterThan(0);
    expect(dpoEval.acc).toBeGreaterThanOrEqual(0);
    // RPO keeps the format that plain DPO loses, and learns: at least MIN_RPO_GAIN over the SFT policy.
    expect(rpoEval.formatOk).toBeGreaterThan(0.9);
    expect(rpoEval.acc - sftEval.acc).toBeGreaterThanOrEqual(MIN_RPO_GAIN);
    // no timed assertion (the developer guide): the seconds are printed above; speed is `pnpm bench grpo`'s
  }, 600_000);
});
