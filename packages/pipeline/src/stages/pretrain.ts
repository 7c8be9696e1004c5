/**
 * Stage `pretrain`: continued pre-training of a Llama-style model on the curated corpus (windows of `seqLen`
 * tokens of the EOS-joined documents), resumable from its last checkpoint. With `pretrain.ablation` a baseline of
 * the same size, seed and steps is trained on the corpus without knowledge translation (the effect table's
 * "knowledge translation vs none").
 *
 * @packageDocumentation
 */
import { LlamaModel, type LlamaConfig, type Tokenizer, type TrainExample } from '@quarkmed/model';
import type { RecipeConfig } from '../config/schema';
import { docsFromJsonl } from './corpus';
import { trainLm } from './lm-training';
import { modelFiles, runTokenizer, startingModel } from './model-files';
import { StageError } from './stage-error';
import type { Curve, StageContext, StageDefinition, StageOutput } from './types';

const decoder = new TextDecoder();

/** Cuts the EOS-joined token stream of `texts` into windows of `seq` tokens (pure). */
export function lmWindows(tokenizer: Pick<Tokenizer, 'encode'>, texts: readonly string[], seq: number, eos: number): TrainExample[] {
  const ids = texts.flatMap((t) => [...tokenizer.encode(t), eos]);
  const out: TrainExample[] = [];
  for (let i = 0; i + seq <= ids.length; i += seq) out.push({ inputIds: ids.slice(i, i + seq) });
  return out;
}

/** Splits documents into training and held-out ones by position (every k-th is held out; pure). */
export function holdOut<T>(items: readonly T[], fraction: number): { train: T[]; heldOut: T[] } {
  const k = Math.max(2, Math.round(1 / fraction));
  return { train: items.filter((_, i) => i % k !== 0), heldOut: items.filter((_, i) => i % k === 0) };
}

/** The model configuration of a fresh model for `tokenizer` (pure). */
export function freshModelConfig(config: RecipeConfig, tokenizer: Tokenizer): LlamaConfig {
  return { vocabSize: tokenizer.vocabSize, ...config.model, eosTokenId: tokenizer.eosTokenId ?? 0 };
}

function plan(config: RecipeConfig): Record<string, unknown> {
  const p = config.pretrain;
  return { steps: p.steps, batchSize: p.batchSize, seqLen: p.seqLen, tokens: p.steps * p.batchSize * p.seqLen, ablation: p.ablation, initCheckpoint: p.initCheckpoint };
}

async function corpusTexts(ctx: StageContext, file: string): Promise<string[] | undefined> {
  const bytes = await ctx.artifact('corpus', file);
  return bytes === undefined ? undefined : docsFromJsonl(decoder.decode(bytes)).map((d) => d.text);
}

async function run(ctx: StageContext): Promise<StageOutput> {
  const p = ctx.config.pretrain;
  const texts = await corpusTexts(ctx, 'corpus.jsonl');
  if (texts === undefined) throw new StageError('pretrain', 'needs the corpus stage output (corpus/corpus.jsonl)');
  const start = await startingModel(ctx, p.initCheckpoint, []);
  const tokenizer = start?.tokenizer ?? (await runTokenizer(ctx));
  if (tokenizer === undefined) throw new StageError('pretrain', 'needs a tokenizer: run the tokenizer stage or set pretrain.initCheckpoint to a directory with tokenizer.json');
  const eos = tokenizer.eosTokenId ?? 0;
  const seq = Math.min(p.seqLen, (start?.model.config.maxSeqLen ?? ctx.config.model.maxSeqLen));
  const { train, heldOut } = holdOut(texts, ctx.config.corpus.heldOutFraction);
  const examples = lmWindows(tokenizer, train, seq, eos);
  const evalData = lmWindows(tokenizer, heldOut, seq, eos);
  if (examples.length === 0) throw new StageError('pretrain', `the corpus gives no window of pretrain.seqLen = ${seq} tokens`);
  const common = { steps: p.steps, batchSize: p.batchSize, lr: p.lr, checkpointEvery: p.checkpointEvery, seed: ctx.seed, evalData };

  const model = start?.model ?? new LlamaModel(freshModelConfig(ctx.config, tokenizer), { seed: ctx.seed });
  const r = await trainLm(ctx, model, examples, { name: 'main', ...common });
  const files = await modelFiles(model, tokenizer, `pretrain-${ctx.seed}`);
  const curves: Curve[] = [{ metric: 'loss', label: 'with knowledge translation', points: r.losses }];
  const metrics: StageOutput['metrics'] = {
    parameters: model.parameterCount(),
    trainWindows: examples.length,
    firstLoss: r.losses[0]?.[1] ?? null,
    finalLoss: r.losses.at(-1)?.[1] ?? null,
    heldOutLoss: r.evalLoss,
    origin: start?.origin ?? 'fresh',
  };
  model.dispose();

  const baseTexts = p.ablation ? await corpusTexts(ctx, 'corpus-no-kg.jsonl') : undefined;
  if (baseTexts !== undefined && start === undefined) {
    const baseExamples = lmWindows(tokenizer, holdOut(baseTexts, ctx.config.corpus.heldOutFraction).train, seq, eos);
    const baseline = new LlamaModel(freshModelConfig(ctx.config, tokenizer), { seed: ctx.seed });
    const b = await trainLm(ctx, baseline, baseExamples, { name: 'baseline', ...common });
    Object.assign(files, await modelFiles(baseline, tokenizer, `pretrain-baseline-${ctx.seed}`, 'baseline/'));
    curves.push({ metric: 'loss', label: 'without knowledge translation', points: b.losses });
    metrics.baselineFinalLoss = b.losses.at(-1)?.[1] ?? null;
    metrics.baselineHeldOutLoss = b.evalLoss;
    baseline.dispose();
  }
  return { files, metrics, curves };
}

/** The `pretrain` stage. */
export const pretrainStage: StageDefinition = {
  name: 'pretrain',
  description: 'continued pre-training on the corpus (and a no-knowledge-translation baseline)',
  inputs: ['corpus', 'tokenizer'],
  plan,
  run,
};
