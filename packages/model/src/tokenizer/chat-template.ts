/**
 * Chat templates: Jinja templates (the Hugging Face `chat_template` convention) rendered with
 * `@huggingface/jinja`.
 *
 * @packageDocumentation
 */
import { Template } from '@huggingface/jinja';
import { ChatTemplateRenderError, ChatTemplateSyntaxError, TokenizerOptionError } from './errors';

/** One chat turn. `role` is usually `system`, `user` or `assistant`. */
export interface ChatMessage {
  role: string;
  content: string;
}

/** Options of {@link renderChatTemplate}. */
export interface RenderChatTemplateOptions {
  /** Jinja template source; default {@link CHATML_TEMPLATE}. */
  template?: string;
  /** Append the header of an assistant turn (`add_generation_prompt`). Default false. */
  addGenerationPrompt?: boolean;
  /** Value of `bos_token` in the template. Default `''`. */
  bosToken?: string;
  /** Value of `eos_token` in the template. Default `''`. */
  eosToken?: string;
  /** Extra variables visible to the template (e.g. `tools`). */
  extra?: Record<string, unknown>;
}

/**
 * ChatML (as used by Qwen): `<|im_start|>{role}\n{content}<|im_end|>\n` per message, and
 * `<|im_start|>assistant\n` when `add_generation_prompt` is set.
 */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const compiled = new Map<string, Template>();
const MAX_COMPILED = 32;

function compile(source: string): Template {
  let t = compiled.get(source);
  if (t !== undefined) return t;
  try {
    t = new Template(source);
  } catch (error) {
    throw new ChatTemplateSyntaxError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(source, t);
  return t;
}

/**
 * Renders `messages` with a Jinja chat template. The template sees `messages`, `add_generation_prompt`,
 * `bos_token`, `eos_token`, `options.extra` and the Jinja globals of `@huggingface/jinja` (`raise_exception(msg)`,
 * `range`, `namespace`, ...; an `extra` key that names a global is a render error).
 * @throws TokenizerOptionError for malformed messages; ChatTemplateSyntaxError when the template does not
 * parse; ChatTemplateRenderError when rendering fails (or the template calls `raise_exception`).
 */
export function renderChatTemplate(messages: readonly ChatMessage[], options: RenderChatTemplateOptions = {}): string {
  if (!Array.isArray(messages)) throw new TokenizerOptionError('messages', 'must be an array of {role, content}');
  messages.forEach((m, i) => {
    if (m === null || typeof m !== 'object') throw new TokenizerOptionError(`messages[${i}]`, 'must be an object {role, content}');
    if (typeof m.role !== 'string') throw new TokenizerOptionError(`messages[${i}].role`, `must be a string, got ${typeof m.role}`);
    if (typeof m.content !== 'string') {
      throw new TokenizerOptionError(`messages[${i}].content`, `must be a string, got ${typeof m.content}`);
    }
  });
  const template = options.template ?? CHATML_TEMPLATE;
  if (typeof template !== 'string') throw new TokenizerOptionError('options.template', 'must be a string');
  const t = compile(template);
  try {
    return t.render({
      ...(options.extra ?? {}),
      messages: messages.map((m) => ({ ...m })),
      add_generation_prompt: options.addGenerationPrompt ?? false,
      bos_token: options.bosToken ?? '',
      eos_token: options.eosToken ?? '',
    });
  } catch (error) {
    throw new ChatTemplateRenderError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}
