/**
 * Stage `sft`: the SFT cold start before RL: verifiable multiple-choice questions (training split) answered as
 * `<think>explanation</think>` then `{"answer": "<letter>"}`, the format the stage-1 rewards check.
 *
 * @packageDocumentation
 */
import type { RecipeConfig } from '../config/schema';
import { answerPrompt, coldStartResponse, instructionSamples, isVerifiableChoice, supervisedExample } from './instruction-data';
import { trainLm } from './lm-training';
import { modelFiles, requireModel } from './model-files';
import { StageError } from './stage-error';
import type { StageContext, StageDefinition, StageOutput } from './types';

async function run(ctx: StageContext): Promise<StageOutput> {
  const c = ctx.config.sft;
  const { model, tokenizer, origin } = await requireModel(ctx, c.initCheckpoint, ['pretrain', 'ift']);
  const kg = await ctx.knowledgeGraph();
  const pool = instructionSamples(kg, { seed: ctx.config.seed, split: 'train', languages: ctx.config.ift.languages, countPerTask: Math.max(4, Math.ceil(c.samples / 4)) }).filter(isVerifiableChoice);
  const samples = pool.slice(0, c.samples);
  if (samples.length === 0) throw new StageError('sft', 'no verifiable multiple-choice samples in the training split');
  const max = Math.min(c.maxTokens, model.config.maxSeqLen);
  const examples = samples.map((s) => supervisedExample(tokenizer, answerPrompt(s), coldStartResponse(s), max));
  const r = await trainLm(ctx, model, examples, { name: 'main', steps: c.steps, batchSize: c.batchSize, lr: c.lr, checkpointEvery: c.checkpointEvery, seed: ctx.seed });
  const files = await modelFiles(model, tokenizer, `sft-${ctx.seed}`);
  model.dispose();
  return {
    files,
    metrics: { samples: samples.length, firstLoss: r.losses[0]?.[1] ?? null, finalLoss: r.losses.at(-1)?.[1] ?? null, origin },
    curves: [{ metric: 'loss', points: r.losses }],
  };
}

/** The `sft` stage. */
export const sftStage: StageDefinition = {
  name: 'sft',
  description: 'SFT cold start: reasoning + JSON answers on verifiable questions',
  inputs: ['ift', 'pretrain', 'tokenizer'],
  plan: (config: RecipeConfig) => ({ steps: config.sft.steps, samples: config.sft.samples }),
  run,
};
