/**
 * The evaluation prompts: the question (with its context and options) and an instruction to answer in JSON, as
 * QuarkMed's evaluation does (`{"answer": "B"}`; several letters for multiple response), in the question's
 * language. With retrieved passages, the question is packaged by `@quarkmed/rag`'s `buildRagPrompt` (numbered
 * passages, its noise-resistant instructions) and the answer instruction follows.
 *
 * The JSON example in the instruction uses a placeholder, never a real option letter or label, so a model that
 * copies the instruction line states no answer (the verifier ignores text copied from the prompt).
 *
 * @packageDocumentation
 */
import { buildRagPrompt, type Document } from '@quarkmed/rag';
import type { EvalMessage } from '../models/eval-model';
import type { EvalItem } from './types';

/** A rendered evaluation prompt. */
export interface EvalPromptParts {
  /** The chat messages sent to the model (one user turn). */
  messages: EvalMessage[];
  /** The user turn's text (what the verifier is told is the prompt). */
  text: string;
}

/** The answer instruction of an item, in its language. */
export function answerInstruction(item: EvalItem): string {
  const zh = item.language === 'zh';
  switch (item.kind) {
    case 'multiple-choice':
      if (item.responseType === 'multiple') {
        return zh
          ? '本题可能有一个或多个正确选项。请只输出JSON：{"answer": "<全部正确选项的字母，如XY>"}'
          : 'One or more options may be correct. Respond with JSON only: {"answer": "<the letters of every correct option, e.g. XY>"}';
      }
      return zh ? '请只输出JSON：{"answer": "<正确选项的字母>"}' : 'Respond with JSON only: {"answer": "<the letter of the correct option>"}';
    case 'yes-no-maybe':
      return zh ? '请只输出JSON：{"answer": "<是、否或可能>"}' : 'Respond with JSON only: {"answer": "<yes, no or maybe>"}';
    case 'open':
      return zh ? '请直接回答问题。' : 'Answer the question.';
  }
}

/** The question block: context, question and options (without the answer instruction). */
export function questionBlock(item: EvalItem): string {
  const zh = item.language === 'zh';
  const parts: string[] = [];
  if (item.context) parts.push(zh ? `病例/资料：\n${item.context}` : `Context:\n${item.context}`);
  parts.push(item.question);
  if (item.kind === 'multiple-choice') parts.push(Object.entries(item.options).map(([k, v]) => `${k}. ${v}`).join('\n'));
  return parts.join('\n\n');
}

/**
 * The prompt of an item.
 *
 * @param item - the question.
 * @param passages - retrieved passages (packaged with `buildRagPrompt`); none: the plain prompt.
 */
export function buildEvalPrompt(item: EvalItem, passages: readonly Document[] = []): EvalPromptParts {
  const q = questionBlock(item);
  const body = passages.length > 0 ? buildRagPrompt(q, passages, { language: item.language }).prompt : q;
  const text = `${body}\n\n${answerInstruction(item)}`;
  return { messages: [{ role: 'user', content: text }], text };
}
