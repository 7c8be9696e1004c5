/**
 * The token ids that end an assistant turn of a chat-templated prompt.
 *
 * @packageDocumentation
 */
import type { GenerationModel, Tokenizer } from '@quarkmed/model';

/** Token strings that close a turn in the common chat templates (ChatML, Llama 3, Llama 2, Gemma). */
const END_OF_TURN_TOKENS = ['<|im_end|>', '<|eot_id|>', '<|end|>', '</s>', '<end_of_turn>'] as const;

/**
 * The stop ids of a chat reply: the tokenizer's EOS, every EOS id of the model config, and each end-of-turn token
 * of the common templates that the tokenizer has as a whole token and the template mentions (ChatML's `<|im_end|>`
 * when the tokenizer has no template of its own, since ChatML is then what `applyChatTemplate` renders).
 */
export function chatStopIds(model: GenerationModel, tokenizer: Tokenizer): number[] {
  const ids = new Set<number>();
  if (tokenizer.eosTokenId !== undefined) ids.add(tokenizer.eosTokenId);
  for (const id of model.config.eosTokenIds ?? []) ids.add(id);
  if (model.config.eosTokenId !== undefined) ids.add(model.config.eosTokenId);
  const template = tokenizer.chatTemplate ?? '<|im_end|>';
  for (const token of END_OF_TURN_TOKENS) {
    const id = tokenizer.tokenToId(token);
    if (id !== undefined && template.includes(token)) ids.add(id);
  }
  return [...ids].filter((id) => id < model.config.vocabSize);
}
