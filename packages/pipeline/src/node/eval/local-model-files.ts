/**
 * A local checkpoint from disk as an evaluation model: the checkpoint and tokenizer loaded by the server's loader
 * (`loadCheckpoint` + `loadTokenizer` of `@quarkmed/model/node`, our checkpoints and Hugging Face Llama-format
 * ones, with the vocabulary check), wrapped in a {@link LocalModel}.
 *
 * @packageDocumentation
 */
import { resolve } from 'node:path';
import { LocalModel, type LocalModelOptions } from '../../models/local-model';
import { loadLocalModel } from '../serve/load-local-model';

/** Options of {@link loadLocalEvalModel}. */
export interface LoadLocalEvalModelOptions extends Omit<LocalModelOptions, 'model' | 'tokenizer' | 'id'> {
  /** The tokenizer's folder (default: the checkpoint folder). */
  tokenizerDir?: string;
  /** The model id (default: the checkpoint folder's absolute path). */
  id?: string;
}

/**
 * Loads a checkpoint folder (`config.json` + safetensors) and its tokenizer (`tokenizer.json`) as an evaluation model.
 *
 * @throws `CheckpointError` / `TokenizerError` of `@quarkmed/model` naming the file; `ServeOptionError` when the
 * tokenizer does not fit the model's vocabulary.
 */
export async function loadLocalEvalModel(dir: string, options: LoadLocalEvalModelOptions = {}): Promise<LocalModel> {
  const { tokenizerDir, id, ...rest } = options;
  const { model, tokenizer } = await loadLocalModel(dir, tokenizerDir ?? dir);
  return new LocalModel({ ...rest, model, tokenizer, id: id ?? resolve(dir) });
}
