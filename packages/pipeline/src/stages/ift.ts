/**
 * Stage `ift`: instruction fine-tuning on data-synth's task registry (23 task types across the four ability
 * dimensions: comprehension, generation, knowledge application, analysis and reasoning), training split by entity,
 * prompt tokens masked.
 *
 * @packageDocumentation
 */
import { DIMENSIONS, toPromptResponse } from '@quarkmed/data-synth';
import type { RecipeConfig } from '../config/schema';
import { instructionSamples, supervisedExample } from './instruction-data';
import { trainLm } from './lm-training';
import { modelFiles, requireModel } from './model-files';
import { StageError } from './stage-error';
import type { StageContext, StageDefinition, StageOutput } from './types';

async function run(ctx: StageContext): Promise<StageOutput> {
  const c = ctx.config.ift;
  const { model, tokenizer, origin } = await requireModel(ctx, c.initCheckpoint, ['pretrain']);
  const kg = await ctx.knowledgeGraph();
  const samples = instructionSamples(kg, { seed: ctx.config.seed, split: 'train', languages: c.languages, countPerTask: c.countPerTask });
  if (samples.length === 0) throw new StageError('ift', 'data-synth generated no training samples; raise ift.countPerTask');
  const byDimension = Object.fromEntries(DIMENSIONS.map((d) => [d, samples.filter((s) => s.dimension === d).length]));
  ctx.progress.event('ift', 'samples', { total: samples.length, ...byDimension });
  const max = Math.min(c.maxTokens, model.config.maxSeqLen);
  const examples = samples.map((s) => {
    const { prompt, response } = toPromptResponse(s);
    return supervisedExample(tokenizer, `${prompt}\n`, response, max);
  });
  const r = await trainLm(ctx, model, examples, { name: 'main', steps: c.steps, batchSize: c.batchSize, lr: c.lr, checkpointEvery: c.checkpointEvery, seed: ctx.seed });
  const files = await modelFiles(model, tokenizer, `ift-${ctx.seed}`);
  model.dispose();
  return {
    files,
    metrics: { samples: samples.length, tasks: new Set(samples.map((s) => s.task)).size, ...byDimension, firstLoss: r.losses[0]?.[1] ?? null, finalLoss: r.losses.at(-1)?.[1] ?? null, origin },
    curves: [{ metric: 'loss', points: r.losses }],
  };
}

/** The `ift` stage. */
export const iftStage: StageDefinition = {
  name: 'ift',
  description: 'instruction fine-tuning over the four ability dimensions of data-synth\'s task registry',
  inputs: ['pretrain', 'tokenizer'],
  plan: (config: RecipeConfig) => ({ steps: config.ift.steps, countPerTask: config.ift.countPerTask, languages: config.ift.languages, dimensions: DIMENSIONS }),
  run,
};
