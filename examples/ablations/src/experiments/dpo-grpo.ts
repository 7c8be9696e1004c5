/**
 * DPO vs GRPO from the same SFT policy and budget (the report's Table 5: reward-model scores per dimension).
 *
 * - The reward model: `@quarkmed/verifier`'s multi-head reward model (honesty, helpfulness, compliance,
 *   consistency), trained with the Bradley–Terry loss on its synthetic preference pairs with the recipe's
 *   `rl2.rewardModel` sizes, on the base run's tokenizer.
 * - The same general-instruction prompts of the train split (data-synth's tasks that are not multiple choice), the
 *   same completions per prompt (G), the same optimizer steps and learning rate, from two copies of the base run's
 *   SFT checkpoint: GRPO (`@quarkmed/grpo`'s `GRPOTrainer`, the reward model's mean over heads as its reward) and
 *   DPO (`DPOTrainer` on pairs of the best and worst of G samples of the SFT policy under the same reward).
 * - Held-out prompts of the test split answered greedily by the SFT policy, DPO and GRPO; every head scores each
 *   answer. Printed: the mean score per head with its 95% interval, GRPO − DPO as the mean of paired differences,
 *   and the rate at which GRPO's answer outscores DPO's (ties left out) with its Wilson interval.
 *
 * @packageDocumentation
 */
import { join } from 'node:path';
import { generateTasks, splitByEntity, toPromptResponse, type InstructionSample, type KnowledgeGraph } from '@quarkmed/data-synth';
import { buildMedicalKg } from '@quarkmed/data-synth/node';
import { DPOTrainer, GRPOTrainer, type RewardInput } from '@quarkmed/grpo';
import { generate, type LlamaModel, type Tokenizer } from '@quarkmed/model';
import { stageSeed, wilson, type Curve } from '@quarkmed/pipeline';
import { loadLocalModel } from '@quarkmed/pipeline/node';
import { MultiHeadRewardModel, REWARD_HEADS, buildPreferencePairs, evaluatePairs, splitPairs, trainRewardModel, type RewardHead } from '@quarkmed/verifier';
import { AblationError } from '../error';
import { baseSftDir, runBase, type ExperimentOptions } from '../experiment-options';
import { meanInterval } from '../mean-interval';
import { estimateCurves, writeExperimentReport } from '../report';
import type { Contrast, Estimate, ExperimentResult } from '../results';
import { formatResultTables } from '../table';

const NAME = 'dpo-grpo';

/** A prompt of the experiment. */
interface PromptExample {
  prompt: string;
}

/** General (not multiple-choice) instruction prompts of one entity split, in English, that leave room for `newTokens`. */
export function generalPrompts(kg: KnowledgeGraph, seed: number, split: 'train' | 'test', count: number, tokenizer: Pick<Tokenizer, 'encode'>, newTokens: number, maxSeqLen: number): string[] {
  const entitySplit = splitByEntity(kg, { seed });
  const samples: InstructionSample[] = generateTasks(kg, { countPerTask: Math.max(4, Math.ceil(count / 4)), seed, language: 'en', split: { entitySplit, name: split } });
  const out: string[] = [];
  for (const s of samples) {
    if (s.reference?.kind === 'multiple-choice') continue;
    const prompt = `${toPromptResponse(s).prompt}\n`;
    if (tokenizer.encode(prompt).length + newTokens <= maxSeqLen && !out.includes(prompt)) out.push(prompt);
  }
  // interleave the task types (generateTasks lists them one after another) by a fixed stride
  const stride = Math.max(1, Math.floor(out.length / count));
  const picked: string[] = [];
  for (let offset = 0; picked.length < count && offset < stride; offset++) for (let i = offset; i < out.length && picked.length < count; i += stride) picked.push(out[i]!);
  return picked;
}

async function answers(model: LlamaModel, tokenizer: Tokenizer, prompts: readonly string[], maxNewTokens: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < prompts.length; i += 8) {
    const r = await generate(model, prompts.slice(i, i + 8) as string[], { tokenizer, maxNewTokens, temperature: 0 });
    out.push(...r.map((x) => x.text));
  }
  return out;
}

/** Runs the experiment. */
export async function dpoVsGrpoAblation(o: ExperimentOptions): Promise<ExperimentResult> {
  const t0 = performance.now();
  const base = await runBase(NAME, o);
  const sftDir = baseSftDir(base);
  const p = o.scale.preference;
  const cfg = base.config;
  const seed = stageSeed(o.seed, 'rl2', 'dpo-vs-grpo');
  const { kg } = await buildMedicalKg();
  const sft = await loadLocalModel(sftDir);
  const maxSeqLen = sft.model.config.maxSeqLen;
  const trainPrompts = generalPrompts(kg, cfg.seed, 'train', p.prompts, sft.tokenizer, p.maxCompletionLength, maxSeqLen);
  const heldOut = generalPrompts(kg, cfg.seed, 'test', p.heldOut, sft.tokenizer, p.maxCompletionLength, maxSeqLen);
  if (trainPrompts.length < p.batchSize || heldOut.length === 0) throw new AblationError(NAME, `only ${trainPrompts.length} train / ${heldOut.length} held-out general prompts fit maxSeqLen ${maxSeqLen}`);

  // the reward model (the recipe's rl2 sizes), trained once and used by both arms and the evaluation
  const rmc = cfg.rl2.rewardModel;
  const { train, heldOut: rmHeldOut } = splitPairs(buildPreferencePairs({ seed, perHead: rmc.perHead }), { seed, heldOutFraction: 0.25 });
  const rm = new MultiHeadRewardModel({
    tokenizer: sft.tokenizer,
    trunk: { hiddenSize: rmc.hiddenSize, numLayers: 1, numHeads: 2, numKvHeads: 1, intermediateSize: rmc.hiddenSize * 2 },
    maxLength: rmc.maxLength,
    seed,
  });
  await trainRewardModel(rm, train, { steps: rmc.steps, seed, batchSize: 8 });
  const rmEval = await evaluatePairs(rm, rmHeldOut);
  const meanReward = async (prompt: string, completion: string): Promise<number> => {
    const r = await rm.scoreResponse(prompt, completion);
    return REWARD_HEADS.reduce((a, h) => a + r[h], 0) / REWARD_HEADS.length;
  };
  const rewardFn = { name: 'reward_model', fn: ({ prompts, completions }: RewardInput<PromptExample>) => Promise.all(completions.map((c, i) => meanReward(prompts[i]!, c))) };
  const dataset: PromptExample[] = trainPrompts.map((prompt) => ({ prompt }));
  const sampling = { temperature: 1, topP: 1, topK: 0, repetitionPenalty: 1, maxCompletionLength: p.maxCompletionLength };

  // DPO: pairs from G samples of the SFT policy, best vs worst, then p.steps steps of p.batchSize pairs
  const dpoPolicy = await loadLocalModel(sftDir);
  const pairs = await DPOTrainer.pairsFromSamples({ model: dpoPolicy.model, tokenizer: dpoPolicy.tokenizer, dataset, rewardFuncs: [rewardFn], numGenerations: p.numGenerations, sampling, seed });
  if (pairs.length === 0) throw new AblationError(NAME, 'no DPO pair: every group of samples had equal rewards');
  const dpoLoss: [number, number][] = [];
  const dpo = new DPOTrainer({ model: dpoPolicy.model, tokenizer: dpoPolicy.tokenizer, pairs, config: { beta: 0.1, learningRate: p.learningRate, seed }, batchSize: p.batchSize, onStep: (log) => dpoLoss.push([log.step, log.loss]) });
  await dpo.train({ steps: p.steps });

  // GRPO: p.steps steps of p.batchSize prompts × G completions, the same reward
  const grpoPolicy = await loadLocalModel(sftDir);
  const grpoLoss: [number, number][] = [];
  const grpoReward: [number, number][] = [];
  const grpo = new GRPOTrainer<PromptExample>({
    model: grpoPolicy.model,
    tokenizer: grpoPolicy.tokenizer,
    trainDataset: dataset,
    config: { numGenerations: p.numGenerations, maxCompletionLength: p.maxCompletionLength, perDeviceTrainBatchSize: p.batchSize * p.numGenerations, learningRate: p.learningRate, beta: 0.02, lossType: 'dapo', temperature: 1, seed, shuffleDataset: true },
    rewardFuncs: [rewardFn],
    seed,
    progress: false,
    onStep: (log) => {
      grpoLoss.push([log.step, log.loss]);
      if (log.metrics?.reward !== undefined) grpoReward.push([log.step, log.metrics.reward]);
    },
  });
  await grpo.train({ steps: p.steps });

  const arms: [string, LlamaModel][] = [['SFT', sft.model], ['DPO', dpoPolicy.model], ['GRPO', grpoPolicy.model]];
  const scores = new Map<string, Record<RewardHead, number>[]>();
  for (const [arm, model] of arms) {
    const texts = await answers(model, sft.tokenizer, heldOut, p.maxCompletionLength);
    scores.set(arm, await Promise.all(texts.map((t, i) => rm.scoreResponse(heldOut[i]!, t))));
  }
  grpo.dispose();
  dpo.dispose();
  for (const [, m] of arms) m.dispose();
  rm.dispose();

  const estimates: Estimate[] = [];
  const contrasts: Contrast[] = [];
  for (const h of REWARD_HEADS) {
    for (const [arm] of arms) {
      const m = meanInterval(scores.get(arm)!.map((s) => s[h]), `${NAME} ${arm} ${h}`);
      estimates.push({ arm, metric: `${h}: reward-model score (mean)`, kind: 'mean', value: m.value, low: m.low, high: m.high, n: m.n });
    }
  }
  for (const h of REWARD_HEADS) {
    const g = scores.get('GRPO')!.map((s) => s[h]);
    const d = scores.get('DPO')!.map((s) => s[h]);
    const m = meanInterval(g.map((x, i) => x - d[i]!), `${NAME} GRPO−DPO ${h}`);
    contrasts.push({ metric: `${h}: reward-model score`, baseline: 'DPO', treatment: 'GRPO', value: m.value, low: m.low, high: m.high, n: m.n, method: 'paired-mean' });
    const decided = g.filter((x, i) => x !== d[i]);
    const wins = g.filter((x, i) => x > d[i]!).length;
    const w = wilson(wins, decided.length);
    estimates.push({ arm: 'GRPO over DPO', metric: `${h}: win rate (ties left out)`, kind: 'proportion', value: w.value, low: w.low, high: w.high, n: w.total, correct: w.correct });
  }
  const rmAcc = Object.entries(rmEval.perHead ?? {}).map(([h, v]) => `${h} ${(100 * (typeof v === 'number' ? v : (v as { accuracy: number }).accuracy)).toFixed(1)}%`);
  const notes = [
    `From the SFT checkpoint ${sftDir}: ${trainPrompts.length} train prompts, G=${p.numGenerations}, ${p.steps} steps of ${p.batchSize} prompts (GRPO) or pairs (DPO, ${pairs.length} pairs from best vs worst of G SFT samples), lr ${p.learningRate}; ${heldOut.length} held-out prompts answered greedily (${p.maxCompletionLength} new tokens).`,
    `The reward model scoring the answers is the one both arms were trained against (Table 5 of the report scores with its reward models too); its held-out pair accuracy: ${rmAcc.join(', ')}.`,
  ];
  const table = formatResultTables(estimates, contrasts);
  const curves: Curve[] = [
    { metric: 'loss', label: 'DPO', points: dpoLoss },
    { metric: 'loss', label: 'GRPO', points: grpoLoss },
    { metric: 'reward', label: 'GRPO batch reward', points: grpoReward },
  ];
  const report = await writeExperimentReport(join(o.out, `${NAME}.html`), {
    title: `Ablation: DPO vs GRPO, reward-model scores per dimension (scale ${o.scaleName}, seed ${o.seed})`,
    table,
    notes,
    plots: [{ name: 'training', curves }, ...estimateCurves(estimates)],
    eval: null,
    config: { preference: p, rewardModel: rmc, base: base.config },
    packages: base.manifest.packages,
  });
  return { experiment: NAME, title: 'DPO vs GRPO (reward-model scores per dimension)', estimates, contrasts, notes, table, report, seconds: (performance.now() - t0) / 1000 };
}
