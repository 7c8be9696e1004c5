/**
 * Stage `tokenizer`: a byte-level BPE tokenizer trained on the curated corpus (`@quarkmed/model`'s `trainBpe`).
 *
 * @packageDocumentation
 */
import { trainBpe } from '@quarkmed/model';
import type { RecipeConfig } from '../config/schema';
import { docsFromJsonl } from './corpus';
import { StageError } from './stage-error';
import type { StageContext, StageDefinition, StageOutput } from './types';

const decoder = new TextDecoder();

async function run(ctx: StageContext): Promise<StageOutput> {
  const bytes = await ctx.artifact('corpus', 'corpus.jsonl');
  if (bytes === undefined) throw new StageError('tokenizer', 'needs the corpus stage output (corpus/corpus.jsonl); do not skip corpus');
  const docs = docsFromJsonl(decoder.decode(bytes));
  const tok = trainBpe(
    docs.map((d) => d.text),
    { vocabSize: ctx.config.tokenizer.vocabSize },
  );
  ctx.progress.event('tokenizer', 'trained', { vocabSize: tok.vocabSize });
  return {
    files: { 'tokenizer.json': JSON.stringify(tok.toJSON()), 'tokenizer_config.json': JSON.stringify(tok.toTokenizerConfig()) },
    metrics: { vocabSize: tok.vocabSize, documents: docs.length },
  };
}

/** The `tokenizer` stage. */
export const tokenizerStage: StageDefinition = {
  name: 'tokenizer',
  description: 'byte-level BPE tokenizer trained on the corpus',
  inputs: ['corpus'],
  plan: (config: RecipeConfig) => ({ vocabSize: config.tokenizer.vocabSize }),
  run,
};
