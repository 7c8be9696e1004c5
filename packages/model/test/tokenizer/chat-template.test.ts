import { describe, expect, it } from 'vitest';
import {
  CHATML_TEMPLATE,
  ChatTemplateRenderError,
  ChatTemplateSyntaxError,
  renderChatTemplate,
  TokenizerOptionError,
  type ChatMessage,
} from '../../src/tokenizer/index';
import { medicalTokenizer } from './helpers';

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are a careful medical assistant.' },
  { role: 'user', content: '急性阑尾炎如何诊断？' },
  { role: 'assistant', content: 'Leukocyte count and CRP help.' },
  { role: 'user', content: 'And in the elderly?' },
];

/** Llama-2 chat template (as shipped with meta-llama/Llama-2-7b-chat-hf, whitespace-trimmed). */
const LLAMA2_TEMPLATE =
  "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}" +
  '{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}' +
  '{% for message in loop_messages %}' +
  "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
  "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}" +
  "{% else %}{% set content = message['content'] %}{% endif %}" +
  "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}" +
  "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}" +
  '{% endfor %}';

describe('chat templates', () => {
  it('renders ChatML by default, with and without the generation prompt', () => {
    const out = renderChatTemplate(messages.slice(0, 2));
    expect(out).toBe(
      '<|im_start|>system\nYou are a careful medical assistant.<|im_end|>\n<|im_start|>user\n急性阑尾炎如何诊断？<|im_end|>\n',
    );
    expect(renderChatTemplate(messages.slice(0, 2), { addGenerationPrompt: true })).toBe(`${out}<|im_start|>assistant\n`);
    expect(renderChatTemplate([], { template: CHATML_TEMPLATE })).toBe('');
  });

  it('renders a custom Llama-2 template with BOS/EOS', () => {
    const out = renderChatTemplate(messages, { template: LLAMA2_TEMPLATE, bosToken: '<s>', eosToken: '</s>' });
    expect(out).toBe(
      '<s>[INST] <<SYS>>\nYou are a careful medical assistant.\n<</SYS>>\n\n急性阑尾炎如何诊断？ [/INST] Leukocyte count and CRP help. </s>' +
        '<s>[INST] And in the elderly? [/INST]',
    );
  });

  it('encodes a rendered ChatML conversation with whole special tokens via the tokenizer', () => {
    const tok = medicalTokenizer();
    const text = tok.applyChatTemplate(messages.slice(1, 2), { addGenerationPrompt: true });
    const ids = tok.encode(text);
    expect(ids.filter((id) => id === 1)).toHaveLength(2); // <|im_start|> twice
    expect(ids.filter((id) => id === 2)).toHaveLength(1); // <|im_end|> once
    expect(tok.decode(ids)).toBe(text);
  });

  it('throws typed errors for syntax errors, raise_exception and bad messages', () => {
    expect(() => renderChatTemplate(messages, { template: '{% for m in messages %}{{ m.content }' })).toThrow(ChatTemplateSyntaxError);
    expect(() => renderChatTemplate(messages, { template: '{% if %}' })).toThrow(ChatTemplateSyntaxError);
    const bad = [messages[1], messages[1]];
    expect(() => renderChatTemplate(bad, { template: LLAMA2_TEMPLATE })).toThrow(ChatTemplateRenderError);
    expect(() => renderChatTemplate(bad, { template: LLAMA2_TEMPLATE })).toThrow(/roles must alternate/);
    expect(() => renderChatTemplate([{ role: 'user', content: 3 as unknown as string }])).toThrow(TokenizerOptionError);
    expect(() => renderChatTemplate([{ role: 'user', content: 3 as unknown as string }])).toThrow(/messages\[0\]\.content/);
  });
});
