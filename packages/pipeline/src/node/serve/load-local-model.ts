/**
 * Loads a local checkpoint and its tokenizer for serving or chatting.
 *
 * @packageDocumentation
 */
import type { LlamaModel, Tokenizer } from '@quarkmed/model';
import { loadCheckpoint, loadTokenizer } from '@quarkmed/model/node';
import { LocalModelError } from './serve-errors';

/** A loaded model and tokenizer. */
export interface LocalModel {
  model: LlamaModel;
  tokenizer: Tokenizer;
}

/**
 * Loads `checkpointDir` (`config.json` + safetensors, from `saveCheckpoint` or Hugging Face) and the tokenizer from
 * `tokenizerDir` (default: the checkpoint directory).
 *
 * @throws CheckpointError / TokenizerJsonError from `@quarkmed/model` naming the file; {@link LocalModelError} when
 *   the tokenizer has more ids than the model's vocabulary
 */
export async function loadLocalModel(checkpointDir: string, tokenizerDir: string = checkpointDir): Promise<LocalModel> {
  const [model, tokenizer] = await Promise.all([loadCheckpoint(checkpointDir), loadTokenizer(tokenizerDir)]);
  if (tokenizer.vocabSize > model.config.vocabSize) {
    model.dispose();
    throw new LocalModelError(`the tokenizer in ${tokenizerDir} has ${tokenizer.vocabSize} ids but the model in ${checkpointDir} has a vocabulary of ${model.config.vocabSize}`);
  }
  return { model, tokenizer };
}
