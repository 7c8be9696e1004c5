/**
 * Models and tokenizers as stage files: a model stage's directory is a Hugging Face Llama-format checkpoint
 * (`config.json`, `model.safetensors`, `tokenizer.json`, `tokenizer_config.json`), so any later stage, `quarkmed
 * serve` or transformers can load it; a stage can also start from such a directory made elsewhere.
 *
 * @packageDocumentation
 */
import { LlamaModel, loadCheckpointFromFiles, serializeCheckpoint, tokenizerFromJSON, type Tokenizer } from '@quarkmed/model';
import type { StageName } from '../config/stage-names';
import { StageError } from './stage-error';
import type { StageContext, StageFile } from './types';

/** A model with its tokenizer. */
export interface ModelWithTokenizer {
  model: LlamaModel;
  tokenizer: Tokenizer;
  /** Where it came from: a stage name, a checkpoint directory, or `fresh` (random initialisation). */
  origin: string;
}

const decoder = new TextDecoder();

/** The checkpoint and tokenizer files of a model (byte-identical for the same weights: the save id is fixed). */
export async function modelFiles(model: LlamaModel, tokenizer: Tokenizer, saveId: string, prefix = ''): Promise<Record<string, StageFile>> {
  const out: Record<string, StageFile> = {};
  for (const [name, bytes] of await serializeCheckpoint(model, { saveId })) out[prefix + name] = bytes;
  out[`${prefix}tokenizer.json`] = JSON.stringify(tokenizer.toJSON());
  out[`${prefix}tokenizer_config.json`] = JSON.stringify(tokenizer.toTokenizerConfig());
  return out;
}

/** Parses a tokenizer from its two files. */
export function tokenizerFromFiles(json: Uint8Array, config: Uint8Array | undefined): Tokenizer {
  return tokenizerFromJSON(JSON.parse(decoder.decode(json)), config === undefined ? undefined : JSON.parse(decoder.decode(config)));
}

/** The run's tokenizer (output of the `tokenizer` stage), or undefined when that stage has not produced one. */
export async function runTokenizer(ctx: StageContext): Promise<Tokenizer | undefined> {
  const json = await ctx.artifact('tokenizer', 'tokenizer.json');
  if (json === undefined) return undefined;
  return tokenizerFromFiles(json, await ctx.artifact('tokenizer', 'tokenizer_config.json'));
}

async function fromFiles(get: (name: string) => Promise<Uint8Array | undefined>, where: string, stage: StageName, fallbackTokenizer: Tokenizer | undefined): Promise<ModelWithTokenizer> {
  const model = await loadCheckpointFromFiles(async (name: string) => get(name));
  const tj = await get('tokenizer.json');
  const tokenizer = tj !== undefined ? tokenizerFromFiles(tj, await get('tokenizer_config.json')) : fallbackTokenizer;
  if (tokenizer === undefined) throw new StageError(stage, `${where} has no tokenizer.json and the run has no tokenizer`);
  if (tokenizer.vocabSize > model.config.vocabSize) {
    model.dispose();
    throw new StageError(stage, `${where}: tokenizer has ${tokenizer.vocabSize} ids, the model's vocabulary ${model.config.vocabSize}`);
  }
  return { model, tokenizer, origin: where };
}

/**
 * The model a stage starts from: its `initCheckpoint` when set (a checkpoint directory, ours or a Hugging Face
 * Llama-format one), else the output of the latest earlier model stage in `previous` that has one, else undefined.
 */
export async function startingModel(ctx: StageContext, initCheckpoint: string | null, previous: readonly StageName[]): Promise<ModelWithTokenizer | undefined> {
  const tokenizer = await runTokenizer(ctx);
  if (initCheckpoint !== null) {
    const files = await ctx.checkpointFiles(initCheckpoint);
    return fromFiles(async (n) => files.get(n), initCheckpoint, ctx.stage, tokenizer);
  }
  for (const stage of [...previous].reverse()) {
    if ((await ctx.artifact(stage, 'config.json')) === undefined) continue;
    return fromFiles((n) => ctx.artifact(stage, n), `stage ${stage}`, ctx.stage, tokenizer);
  }
  return undefined;
}

/** Like {@link startingModel}, but a stage that needs a model and finds none is an error naming the key to set. */
export async function requireModel(ctx: StageContext, initCheckpoint: string | null, previous: readonly StageName[]): Promise<ModelWithTokenizer> {
  const m = await startingModel(ctx, initCheckpoint, previous);
  if (m === undefined) {
    throw new StageError(ctx.stage, `no model to start from: run one of ${previous.join(', ')} first or set ${ctx.stage}.initCheckpoint`);
  }
  return m;
}
