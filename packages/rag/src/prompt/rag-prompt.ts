/**
 * Prompt packaging for grounded answers: numbered passages `[1] …` and noise-resilient instructions, word for word
 * the format of data-synth's `retrieval_noise_citation` task (so a model tuned on that task sees the same prompt at
 * inference), asking for `[n]` citations.
 */
import type { Document } from '../types';
import { cjkShare } from '../analysis/script';
import { checkInteger, checkText } from '../validation/checks';
import { RagArgumentError } from '../validation/rag-argument-error';

/** A passage as numbered in a prompt. */
export interface NumberedPassage {
  /** 1-based number, as cited `[n]`. */
  n: number;
  document: Document;
  /** The text shown (white space collapsed to single spaces, so each passage is one line). */
  text: string;
}

/** Options of {@link buildRagPrompt}. */
export interface RagPromptOptions {
  /** Language of the instructions: `en`, `zh` or `auto` (Chinese when most of the question's letters are CJK). Default `auto`. */
  language?: 'en' | 'zh' | 'auto';
  /** Keep at most this many passages (the first ones). Default: all. */
  maxPassages?: number;
}

/** A packaged prompt and the passages it numbers (give them to {@link checkCitations}). */
export interface RagPrompt {
  prompt: string;
  passages: NumberedPassage[];
  language: 'en' | 'zh';
}

/** The instruction lines, as in data-synth's retrieval-noise task. */
export const RAG_INSTRUCTIONS = {
  en: 'Answer the question using only the passages below, and cite the passage you used as [n]. Some passages are irrelevant.',
  zh: '请仅根据下列资料回答问题，并用[n]标注所依据的资料编号。部分资料与问题无关。',
} as const;

/**
 * `instructions\n\n[1] passage\n[2] passage\n\nQuestion: …` (Chinese: `问题：…`).
 *
 * @throws {@link RagArgumentError} for an empty question, no passages, an empty passage or a bad option.
 */
export function buildRagPrompt(question: string, documents: readonly Document[], options: RagPromptOptions = {}): RagPrompt {
  checkText('question', question);
  if (!Array.isArray(documents) || documents.length === 0) throw new RagArgumentError('documents', 'needs at least one passage');
  const lang = options.language ?? 'auto';
  if (lang !== 'en' && lang !== 'zh' && lang !== 'auto') throw new RagArgumentError('options.language', `must be en, zh or auto, got ${String(lang)}`);
  const max = checkInteger('options.maxPassages', options.maxPassages ?? documents.length, 1);
  const language = lang === 'auto' ? (cjkShare(question) > 0.5 ? 'zh' : 'en') : lang;
  const passages = documents.slice(0, max).map((document, i) => {
    checkText(`documents[${i}].pageContent`, document?.pageContent);
    return { n: i + 1, document, text: document.pageContent.replace(/\s+/g, ' ').trim() };
  });
  const list = passages.map((p) => `[${p.n}] ${p.text}`).join('\n');
  const q = question.trim();
  const prompt = language === 'zh' ? `${RAG_INSTRUCTIONS.zh}\n\n${list}\n\n问题：${q}` : `${RAG_INSTRUCTIONS.en}\n\n${list}\n\nQuestion: ${q}`;
  return { prompt, passages, language };
}
