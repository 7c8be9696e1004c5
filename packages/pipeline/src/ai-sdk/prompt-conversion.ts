/**
 * The AI SDK's standardized prompt (`LanguageModelV4Prompt`) as the chat messages a tokenizer's chat template renders.
 *
 * @packageDocumentation
 */
import type { LanguageModelV4Prompt, SharedV4Warning } from '@ai-sdk/provider';
import type { ChatMessage } from '@quarkmed/model';
import { AiSdkInputError } from './ai-sdk-error';

/** Chat messages of a prompt, plus warnings for content the local model does not see. */
export interface ConvertedPrompt {
  messages: ChatMessage[];
  warnings: SharedV4Warning[];
}

/**
 * Converts the standardized prompt: system, user and assistant text become `{role, content}` messages (a message's
 * text parts joined); earlier assistant reasoning is left out with a warning.
 *
 * @throws {@link AiSdkInputError} for file parts, tool calls, tool results and tool messages (a text-only model without
 *   tools cannot take them), naming the part as `prompt[i].content[j]`.
 */
export function convertPrompt(prompt: LanguageModelV4Prompt): ConvertedPrompt {
  if (!Array.isArray(prompt) || prompt.length === 0) throw new AiSdkInputError('prompt', 'must be a non-empty array of messages');
  const messages: ChatMessage[] = [];
  const warnings: SharedV4Warning[] = [];
  prompt.forEach((message, i) => {
    if (message.role === 'system') {
      messages.push({ role: 'system', content: message.content });
      return;
    }
    if (message.role === 'tool') throw new AiSdkInputError(`prompt[${i}]`, 'is a tool message; this local model has no tool support');
    let text = '';
    message.content.forEach((part, j) => {
      if (part.type === 'text') text += part.text;
      else if (part.type === 'reasoning') {
        warnings.push({ type: 'other', message: `prompt[${i}].content[${j}]: earlier reasoning is not shown to the model` });
      } else {
        throw new AiSdkInputError(`prompt[${i}].content[${j}]`, `is a '${part.type}' part; this local model takes text only`);
      }
    });
    messages.push({ role: message.role, content: text });
  });
  return { messages, warnings };
}
