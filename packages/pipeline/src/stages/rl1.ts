/**
 * Stage `rl1`: GRPO (`@quarkmed/grpo`) with verifiable rewards, the hybrid verifier's reward plus a weighted
 * format reward, on the training split's multiple-choice questions after the difficulty filter (prompts the SFT
 * policy always or never solves are dropped). Resumable from its last checkpoint.
 *
 * @packageDocumentation
 */
import type { InstructionSample } from '@quarkmed/data-synth';
import { GRPOTrainer, formatRewardFunction, verifierReward } from '@quarkmed/grpo';
import { buildEquivalencePairs, EquivalenceJudge, getOntology } from '@quarkmed/verifier';
import type { RecipeConfig, RecipeGrpoConfig } from '../config/schema';
import { choiceReference, choiceVerifier, type ChoiceReference } from './choice-verifier';
import { ANSWER_FORMAT, answerPrompt, fitsContext, instructionSamples, isVerifiableChoice } from './instruction-data';
import { loggedLosses } from './lm-training';
import { modelFiles, requireModel } from './model-files';
import { StageError } from './stage-error';
import type { Curve, StageContext, StageDefinition, StageOutput } from './types';

/** A GRPO prompt with its reference. */
export interface RlExample {
  prompt: string;
  reference: ChoiceReference | null;
  kind: 'reasoning' | 'general';
}

/** TRL-style GRPO config of a stage (pure). */
export function grpoConfig(g: RecipeGrpoConfig, seed: number, rewardWeights: number[]): Record<string, unknown> {
  return { ...g, seed, rewardWeights, shuffleDataset: true };
}

/** Trains the equivalence judge of the hybrid verifier (deterministic for a seed). */
export async function trainJudge(seed: number, epochs: number): Promise<EquivalenceJudge> {
  const pairs = buildEquivalencePairs(getOntology(), { seed, maxPositives: 1500 });
  return (await EquivalenceJudge.train(pairs.train, { seed, epochs })).judge;
}

/** Runs GRPO for a stage with a persistent store; returns the curves of reward and KL. */
export async function runGrpo(ctx: StageContext, trainer: GRPOTrainer<RlExample>, steps: number): Promise<{ curves: Curve[]; resumedFrom: string | null }> {
  const store = ctx.trainerStore('main');
  let resumedFrom: string | null = null;
  if ((await store.listCheckpoints()).length > 0) {
    resumedFrom = await trainer.resume();
    ctx.progress.event(ctx.stage, 'resumed', { from: resumedFrom, step: trainer.step });
  }
  if (trainer.step < steps) await trainer.train({ steps: steps - trainer.step });
  const curves: Curve[] = [];
  for (const metric of ['loss', 'reward', 'kl']) curves.push({ metric, points: await loggedLosses(store, steps, metric) });
  return { curves, resumedFrom };
}

async function run(ctx: StageContext): Promise<StageOutput> {
  const c = ctx.config.rl1;
  const { model, tokenizer, origin } = await requireModel(ctx, c.initCheckpoint, ['pretrain', 'ift', 'sft']);
  await ctx.verifierData();
  const kg = await ctx.knowledgeGraph();
  const fits = (s: InstructionSample): boolean => fitsContext(tokenizer, answerPrompt(s), c.grpo.maxCompletionLength, model.config.maxSeqLen);
  const samples = instructionSamples(kg, { seed: ctx.config.seed, split: 'train', languages: ctx.config.ift.languages, countPerTask: Math.max(4, c.prompts) })
    .filter((s) => isVerifiableChoice(s) && fits(s))
    .slice(0, c.prompts);
  const dataset: RlExample[] = samples.flatMap((s) => {
    const prompt = answerPrompt(s);
    const reference = choiceReference(s, prompt);
    return reference ? [{ prompt, reference, kind: 'reasoning' as const }] : [];
  });
  if (dataset.length < 2) throw new StageError('rl1', `only ${dataset.length} verifiable prompts; raise rl1.prompts`);
  const judge = await trainJudge(ctx.seed, c.judgeEpochs);
  const verifier = choiceVerifier(judge, c.verifier);
  const trainer = new GRPOTrainer<RlExample>({
    model,
    tokenizer,
    trainDataset: dataset,
    config: grpoConfig(c.grpo, ctx.seed, [1, c.formatWeight]),
    rewardFuncs: [verifierReward(verifier, { name: 'verifier', referenceOf: (e: RlExample) => e.reference }), formatRewardFunction(ANSWER_FORMAT)],
    store: ctx.trainerStore('main'),
    checkpointEvery: c.checkpointEvery,
    seed: ctx.seed,
    progress: false,
    ...(c.difficultyFilter.enabled ? { difficultyFilter: { samples: c.difficultyFilter.samples, maxPassRate: 1, dropNeverSolved: false } } : {}),
    onStep: (log) => ctx.progress.step('rl1', log.step, c.steps, { loss: log.loss, reward: log.metrics?.reward ?? NaN }),
  });
  const { curves } = await runGrpo(ctx, trainer, c.steps);
  const files = await modelFiles(model, tokenizer, `rl1-${ctx.seed}`);
  files['judge.json'] = JSON.stringify(judge.toJSON());
  const kept = trainer.difficultyReport?.kept.length ?? dataset.length;
  trainer.dispose();
  model.dispose();
  const reward = curves.find((x) => x.metric === 'reward')!.points;
  return {
    files,
    metrics: { prompts: dataset.length, afterDifficultyFilter: kept, firstReward: reward[0]?.[1] ?? null, finalReward: reward.at(-1)?.[1] ?? null, verifier: c.verifier, origin },
    curves,
  };
}

/** The `rl1` stage. */
export const rl1Stage: StageDefinition = {
  name: 'rl1',
  description: 'GRPO with verifiable rewards (hybrid verifier + format reward), difficulty filter',
  inputs: ['sft', 'ift', 'pretrain', 'tokenizer'],
  plan: (config: RecipeConfig) => ({ steps: config.rl1.steps, prompts: config.rl1.prompts, verifier: config.rl1.verifier, difficultyFilter: config.rl1.difficultyFilter.enabled, grpo: config.rl1.grpo }),
  run,
};
