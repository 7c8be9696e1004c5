/**
 * Likelihood scoring (the harness's `scoring: 'likelihood'`), as lm-eval-harness scores multiple-choice tasks for
 * small models: nothing is generated; the item is answered by the option whose continuation is most likely under
 * the model after the prompt.
 *
 * - The prompt is the question block (context, question, lettered options; with retrieval, packaged by
 *   `buildRagPrompt`) followed by a blank line and the answer stem `Answer:` (`答案：` in Chinese) — no JSON
 *   instruction, since the answer is not generated.
 * - The continuations: for a single-response multiple-choice item, each option's **text** after a space
 *   (`" Iron deficiency anaemia"`; no space after the Chinese stem), keyed by its letter; for a yes/no/maybe item,
 *   `" yes"`, `" no"`, `" maybe"` (`是`, `否`, `可能`). Option text rather than the letter, because a small model
 *   learns the text, not the letter-to-option mapping (lm-eval-harness's MMLU-style `" B"` is `continuation: 'letter'`).
 * - The metric: `acc` takes the option with the highest summed log-probability `sum_i log p(c_i | prompt, c_<i)`;
 *   `acc_norm` (the default) divides each sum by the continuation's length in UTF-8 bytes first, as lm-eval-harness's
 *   `acc_norm` does, so longer options are not penalised for their length. Ties go to the first option in order.
 * - Multiple-response and open-ended items have no single continuation to score: an error naming `scoring`.
 *
 * Each prediction records the metric and every option's continuation, log-probability, token and byte count, so
 * `rescore` picks the same option again without the model.
 *
 * @packageDocumentation
 */
import { buildRagPrompt, type Document } from '@quarkmed/rag';
import type { ContinuationScore } from '../models/eval-model';
import { EvalOptionError } from './eval-option-error';
import { questionBlock, type EvalPromptParts } from './prompt';
import type { ItemScore } from './scoring';
import type { EvalItem } from './types';

/** How the harness answers items: generate text and parse it (default), or pick the most likely option. */
export type ScoringMode = 'generate' | 'likelihood';

/** `acc`: highest summed log-probability; `acc_norm`: highest log-probability per UTF-8 byte of the continuation. */
export type LikelihoodMetric = 'acc' | 'acc_norm';

/** What the continuation of a multiple-choice option is: its text (default) or its letter (`" B"`). */
export type LikelihoodContinuation = 'text' | 'letter';

/** One option's continuation and its score under the model. */
export interface LikelihoodOption extends ContinuationScore {
  /** The option: a letter (multiple choice) or `yes` / `no` / `maybe`. */
  key: string;
  /** The exact text scored after the prompt. */
  continuation: string;
}

/** The likelihood part of a prediction. */
export interface LikelihoodRecord {
  metric: LikelihoodMetric;
  options: LikelihoodOption[];
}

/** The answer stem that ends a likelihood prompt, by language. */
export const ANSWER_STEM = { en: 'Answer:', zh: '答案：' } as const;

const YNM = { en: [['yes', ' yes'], ['no', ' no'], ['maybe', ' maybe']], zh: [['yes', '是'], ['no', '否'], ['maybe', '可能']] } as const;

/** The likelihood prompt of an item: its question block (or retrieval-packaged prompt), a blank line, the answer stem. */
export function buildLikelihoodPrompt(item: EvalItem, passages: readonly Document[] = []): EvalPromptParts {
  const q = questionBlock(item);
  const body = passages.length > 0 ? buildRagPrompt(q, passages, { language: item.language }).prompt : q;
  const text = `${body}\n\n${ANSWER_STEM[item.language]}`;
  return { messages: [{ role: 'user', content: text }], text };
}

/**
 * The continuations scored for an item (see the module documentation).
 *
 * @throws {@link EvalOptionError} naming `scoring` for a multiple-response or open-ended item.
 */
export function likelihoodContinuations(item: EvalItem, continuation: LikelihoodContinuation = 'text'): { key: string; continuation: string }[] {
  const sep = item.language === 'zh' ? '' : ' ';
  switch (item.kind) {
    case 'multiple-choice':
      if (item.responseType !== 'single') throw new EvalOptionError('scoring', `item ${item.id} (${item.benchmark}) is multiple response: likelihood scoring answers single-response items only`);
      return Object.entries(item.options).map(([key, text]) => ({ key, continuation: continuation === 'letter' ? `${sep}${key}` : `${sep}${text}` }));
    case 'yes-no-maybe':
      return YNM[item.language].map(([key, c]) => ({ key, continuation: c }));
    case 'open':
      throw new EvalOptionError('scoring', `item ${item.id} (${item.benchmark}) is open-ended: likelihood scoring needs options to score`);
  }
}

/** The value an option is ranked by under a metric. */
export function likelihoodValue(option: ContinuationScore, metric: LikelihoodMetric): number {
  return metric === 'acc' ? option.logProb : option.logProb / option.bytes;
}

/** The option a record picks: the highest value under its metric, the first on ties. */
export function likelihoodChoice(record: LikelihoodRecord): LikelihoodOption {
  let best = record.options[0]!;
  for (const o of record.options.slice(1)) if (likelihoodValue(o, record.metric) > likelihoodValue(best, record.metric)) best = o;
  return best;
}

/** The gold keys of an item in the keys of {@link likelihoodContinuations}. */
function goldKeys(item: EvalItem): readonly string[] {
  return item.kind === 'open' ? [] : item.kind === 'yes-no-maybe' ? [item.answer] : item.answer;
}

/**
 * The score of an item answered by likelihood: reward 1 when the picked option is gold, else 0.
 *
 * @throws {@link EvalOptionError} naming `likelihood` when the record's options are not the item's.
 */
export function scoreLikelihood(item: EvalItem, record: LikelihoodRecord): ItemScore {
  const expected = likelihoodContinuations(item).map((c) => c.key);
  const keys = record.options.map((o) => o.key);
  if (keys.length !== expected.length || keys.some((k, i) => k !== expected[i])) {
    throw new EvalOptionError('likelihood', `item ${item.id}: the recorded options ${keys.join(',')} are not the item's ${expected.join(',')}`);
  }
  const pick = likelihoodChoice(record);
  const correct = goldKeys(item).includes(pick.key);
  const v = likelihoodValue(pick, record.metric);
  return {
    itemId: item.id,
    ...(item.subject !== undefined ? { subject: item.subject } : {}),
    reward: correct ? 1 : 0,
    verdict: correct ? 'correct' : 'incorrect',
    evidence: `likelihood (${record.metric}): picked ${pick.key} (${v.toFixed(4)}${record.metric === 'acc' ? '' : ' per byte'}) of ${keys.join(', ')}`,
    source: 'model',
  };
}
