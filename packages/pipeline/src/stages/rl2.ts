/**
 * Stage `rl2`: GRPO with `@quarkmed/verifier`'s multi-head reward model (honesty, helpfulness, compliance,
 * consistency; trained here with the Bradley–Terry loss on its synthetic preference pairs) plus the verifier's
 * reward on reasoning prompts, over a 3:1 reasoning:general mix (data-synth's `mix`).
 *
 * @packageDocumentation
 */
import { mix, toPromptResponse } from '@quarkmed/data-synth';
import { GRPOTrainer, verifierReward, type RewardInput } from '@quarkmed/grpo';
import { EquivalenceJudge, MultiHeadRewardModel, buildPreferencePairs, evaluatePairs, pairText, splitPairs, trainRewardModel, type RewardHead } from '@quarkmed/verifier';
import type { RecipeConfig } from '../config/schema';
import { choiceReference, choiceVerifier } from './choice-verifier';
import { answerPrompt, fitsContext, instructionSamples, isVerifiableChoice } from './instruction-data';
import { modelFiles, requireModel } from './model-files';
import { grpoConfig, runGrpo, trainJudge, type RlExample } from './rl1';
import { StageError } from './stage-error';
import type { StageContext, StageDefinition, StageOutput } from './types';

const decoder = new TextDecoder();

async function run(ctx: StageContext): Promise<StageOutput> {
  const c = ctx.config.rl2;
  const { model, tokenizer, origin } = await requireModel(ctx, c.initCheckpoint, ['pretrain', 'ift', 'sft', 'rl1']);
  await ctx.verifierData();
  const kg = await ctx.knowledgeGraph();
  const all = instructionSamples(kg, { seed: ctx.config.seed + 1, split: 'train', languages: ctx.config.ift.languages, countPerTask: Math.max(4, Math.ceil(c.prompts / 4)) });
  const fits = (p: string): boolean => fitsContext(tokenizer, p, c.grpo.maxCompletionLength, model.config.maxSeqLen);
  const reasoning: RlExample[] = all.filter((s) => isVerifiableChoice(s) && fits(answerPrompt(s))).flatMap((s) => {
    const prompt = answerPrompt(s);
    const reference = choiceReference(s, prompt);
    return reference ? [{ prompt, reference, kind: 'reasoning' as const }] : [];
  });
  const general: RlExample[] = all
    .filter((s) => !isVerifiableChoice(s))
    .map((s) => ({ prompt: `${toPromptResponse(s).prompt}\n`, reference: null, kind: 'general' as const }))
    .filter((e) => fits(e.prompt));
  if (reasoning.length === 0 || general.length === 0) throw new StageError('rl2', 'needs both reasoning and general prompts; raise rl2.prompts');
  const mixed = mix(
    [
      { name: 'reasoning', items: reasoning, weight: c.mix.reasoning },
      { name: 'general', items: general, weight: c.mix.general },
    ],
    { total: c.prompts, seed: ctx.seed, shortage: 'redistribute' },
  );
  const dataset = mixed.items.map((m) => m.item);

  const pairs = buildPreferencePairs({ seed: ctx.seed, perHead: c.rewardModel.perHead });
  const { train, heldOut } = splitPairs(pairs, { seed: ctx.seed, heldOutFraction: 0.25 });
  const rm = new MultiHeadRewardModel({
    tokenizer,
    trunk: { hiddenSize: c.rewardModel.hiddenSize, numLayers: 1, numHeads: 2, numKvHeads: 1, intermediateSize: c.rewardModel.hiddenSize * 2 },
    maxLength: c.rewardModel.maxLength,
    seed: ctx.seed,
  });
  const rmTrain = await trainRewardModel(rm, train, { steps: c.rewardModel.steps, seed: ctx.seed, batchSize: 8 });
  const rmEval = await evaluatePairs(rm, heldOut);
  ctx.progress.event('rl2', 'reward-model', { pairs: train.length, heldOut: heldOut.length, finalLoss: rmTrain.losses.at(-1) ?? null });
  const rewardModelFn = {
    name: 'reward_model',
    fn: async ({ prompts, completions }: RewardInput<RlExample>) => {
      const rows = await rm.score(completions.map((comp, i) => pairText(prompts[i]!, comp)));
      const at = (row: number[], h: RewardHead): number => row[rm.heads.indexOf(h)]!;
      return rows.map((row) => (at(row, 'honesty') + at(row, 'helpfulness') + at(row, 'compliance') + at(row, 'consistency')) / 4);
    },
  };
  const judgeJson = await ctx.artifact('rl1', 'judge.json');
  const judge = judgeJson ? EquivalenceJudge.fromJSON(JSON.parse(decoder.decode(judgeJson))) : await trainJudge(ctx.seed, ctx.config.rl1.judgeEpochs);
  const verifier = choiceVerifier(judge, ctx.config.rl1.verifier);
  const trainer = new GRPOTrainer<RlExample>({
    model,
    tokenizer,
    trainDataset: dataset,
    config: grpoConfig(c.grpo, ctx.seed, [1, 1]),
    rewardFuncs: [rewardModelFn, verifierReward(verifier, { name: 'verifier', referenceOf: (e: RlExample) => e.reference })],
    store: ctx.trainerStore('main'),
    checkpointEvery: c.checkpointEvery,
    seed: ctx.seed,
    progress: false,
    onStep: (log) => ctx.progress.step('rl2', log.step, c.steps, { loss: log.loss, reward: log.metrics?.reward ?? NaN }),
  });
  const { curves } = await runGrpo(ctx, trainer, c.steps);
  const files = await modelFiles(model, tokenizer, `rl2-${ctx.seed}`);
  trainer.dispose();
  model.dispose();
  rm.dispose();
  const reward = curves.find((x) => x.metric === 'reward')!.points;
  return {
    files,
    metrics: {
      prompts: dataset.length,
      reasoningPrompts: mixed.counts.reasoning ?? 0,
      generalPrompts: mixed.counts.general ?? 0,
      rewardModelHeldOutPairs: heldOut.length,
      ...Object.fromEntries(Object.entries(rmEval.perHead ?? {}).map(([h, v]) => [`rewardModelAccuracy.${h}`, typeof v === 'number' ? v : (v as { accuracy: number }).accuracy])),
      firstReward: reward[0]?.[1] ?? null,
      finalReward: reward.at(-1)?.[1] ?? null,
      origin,
    },
    curves,
  };
}

/** The `rl2` stage. */
export const rl2Stage: StageDefinition = {
  name: 'rl2',
  description: 'GRPO with the multi-head reward model over a 3:1 reasoning:general prompt mix',
  inputs: ['rl1', 'sft', 'ift', 'pretrain', 'tokenizer'],
  plan: (config: RecipeConfig) => ({ steps: config.rl2.steps, prompts: config.rl2.prompts, mix: `${config.rl2.mix.reasoning}:${config.rl2.mix.general}`, rewardModel: config.rl2.rewardModel }),
  run,
};
