/**
 * Multiple-choice verification, single and multiple response.
 *
 * Scoring (after {@link extractChoice}):
 * - nothing stated, or a JSON value that is a number/`null`/`true` → `unparseable`, reward 0;
 * - a hedge ("A or B") → `incorrect`, reward 0;
 * - an empty answer (`[]`, `""`) → `incorrect`, reward 0;
 * - single response (the gold has one letter, unless `responseType` says otherwise): more than one stated letter
 *   (an enumeration or every option) → `incorrect`, reward 0; else 1 when it is the gold letter;
 * - multiple response, `mode: 'exact'` (default): 1 only for the exact gold set;
 *   `mode: 'partial'`: |gold ∩ chosen| / |gold|, and 0 if any chosen letter is wrong (so a list of every option
 *   earns nothing unless every option is the gold). Verdict `correct` (1), `partial` (0 < r < 1), `incorrect` (0).
 *
 * @packageDocumentation
 */
import type { VerificationResult, Verifier } from '../types';
import { expectObject, VerifierArgumentError } from '../argument-error';
import { withPrompt } from './answer-policy';
import { extractChoice, parseGoldLetters, type ChoiceExtraction, type ChoiceExtractionOptions } from './answer-extraction';

/** The reference of a multiple-choice question. */
export interface MultipleChoiceReference {
  /** Gold letters: `'B'`, `'AC'`, `'A,C'`, `['A','C']`; case and surrounding spaces are ignored. */
  answer: string | readonly string[];
  /** Option letter → text; enables option-text answers and fixes the letter set (else `letters` or A–E). */
  options?: Readonly<Record<string, string>>;
  /** Allowed letters when `options` is absent (default: A–E, extended to the highest gold letter). */
  letters?: string;
  /** Multiple-response scoring (default `'exact'`). */
  mode?: 'exact' | 'partial';
  /** Default: `'single'` when the gold has one letter, else `'multiple'`. */
  responseType?: 'single' | 'multiple';
  /** The prompt: answer cues in lines copied from it are ignored (the answer policy, `answer-policy.ts`). */
  prompt?: string;
}

/** Default letters: A–E, or A up to the highest gold letter when that is beyond E. */
function defaultLetters(gold: readonly string[]): string {
  let max = 'E'.charCodeAt(0);
  for (const g of gold) max = Math.max(max, g.charCodeAt(0));
  let s = '';
  for (let c = 65; c <= max; c++) s += String.fromCharCode(c);
  return s;
}

/**
 * Scores a stated answer against gold letters (the scoring rules of the module documentation).
 *
 * @param extraction - from {@link extractChoice}.
 * @param gold - sorted unique gold letters.
 */
export function scoreChoice(
  extraction: ChoiceExtraction,
  gold: readonly string[],
  mode: 'exact' | 'partial' = 'exact',
  responseType: 'single' | 'multiple' = gold.length > 1 ? 'multiple' : 'single',
): VerificationResult {
  const goldStr = gold.join('');
  // (object literals are built whole: a `{ ...base, … }` spread costs microseconds per call on V8, the hot path)
  switch (extraction.kind) {
    case 'none':
      return { source: 'rule', reward: 0, verdict: 'unparseable', evidence: extraction.reason, details: { gold: goldStr } };
    case 'non-answer':
      return {
        source: 'rule',
        reward: 0,
        verdict: 'unparseable',
        evidence: `stated value ${extraction.value} (${extraction.via}) is not an option letter`,
        details: { gold: goldStr, via: extraction.via, value: extraction.value },
      };
    case 'hedge':
      return {
        source: 'rule',
        reward: 0,
        verdict: 'incorrect',
        evidence: `hedged between ${extraction.letters.join(', ')} ("${extraction.snippet}"); a hedge earns nothing`,
        details: { gold: goldStr, chosen: extraction.letters.join(''), via: extraction.via, hedge: true },
      };
    case 'empty':
      return {
        source: 'rule',
        reward: 0,
        verdict: 'incorrect',
        evidence: `stated an empty answer (${extraction.via})`,
        details: { gold: goldStr, chosen: '', via: extraction.via },
      };
    case 'letters': {
      const chosen = extraction.letters;
      const chosenStr = chosen.join('');
      const details: Record<string, unknown> = { gold: goldStr, chosen: chosenStr, via: extraction.via, fromOptionText: extraction.fromOptionText };
      const how = `${extraction.via}${extraction.fromOptionText ? ', option text' : ''}: "${extraction.snippet}"`;
      if (responseType === 'single' && chosen.length > 1) {
        return {
          source: 'rule',
          reward: 0,
          verdict: 'incorrect',
          evidence: `chose ${chosen.length} options (${chosenStr}) for a single-response question (${how})`,
          details: { gold: goldStr, chosen: chosenStr, via: extraction.via, fromOptionText: extraction.fromOptionText, hedge: true },
        };
      }
      const hits = chosen.filter((c) => gold.includes(c)).length;
      const wrong = chosen.length - hits;
      let reward: number;
      if (mode === 'partial') reward = wrong > 0 ? 0 : hits / gold.length;
      else reward = wrong === 0 && hits === gold.length ? 1 : 0;
      const verdict = reward === 1 ? 'correct' : reward > 0 ? 'partial' : 'incorrect';
      return { source: 'rule', reward, verdict, evidence: `chose ${chosenStr}, gold ${goldStr} (${how})`, details };
    }
  }
}

/**
 * Verifies a multiple-choice completion.
 *
 * @example
 * verifyMultipleChoice('… so the answer is (C).', { answer: 'C' }).reward // 1
 * verifyMultipleChoice('{"answer": "A/C"}', { answer: 'AC', mode: 'partial' }).reward // 1
 *
 * @param completion - the model output.
 * @param ref - the gold answer and options.
 * @throws {@link VerifierArgumentError} naming the field: `answer` when the gold holds no letter or a letter outside
 *   `options`; `letters`, `mode`, `responseType` when they are not one of the documented values.
 */
export function verifyMultipleChoice(completion: string, ref: MultipleChoiceReference): VerificationResult {
  expectObject(ref, 'ref', 'a multiple-choice reference');
  const gold = parseGoldLetters(ref.answer);
  const opts: ChoiceExtractionOptions = {};
  if (ref.options) {
    const keys = optionKeys(ref.options);
    for (const g of gold) {
      if (!keys.includes(g)) throw new VerifierArgumentError('answer', `gold letter ${g} is not among the options (${keys.join(', ')})`);
    }
    opts.options = ref.options;
  } else {
    if (ref.letters !== undefined && typeof ref.letters !== 'string') throw new VerifierArgumentError('letters', `expected a string of option letters like 'ABCD', got ${typeof ref.letters}`);
    opts.letters = ref.letters ? ref.letters.toUpperCase() : defaultLetters(gold);
  }
  if (typeof ref.prompt === 'string') opts.prompt = ref.prompt;
  const mode = ref.mode ?? 'exact';
  if (mode !== 'exact' && mode !== 'partial') throw new VerifierArgumentError('mode', `expected 'exact' or 'partial', got ${JSON.stringify(mode)}`);
  if (ref.responseType !== undefined && ref.responseType !== 'single' && ref.responseType !== 'multiple') {
    throw new VerifierArgumentError('responseType', `expected 'single' or 'multiple', got ${JSON.stringify(ref.responseType)}`);
  }
  return scoreChoice(extractChoice(completion, opts), gold, mode, ref.responseType);
}

/** Upper-cased option letters, cached per options object (the hot path verifies many completions per question). */
const keyCache = new WeakMap<object, string[]>();
function optionKeys(options: Readonly<Record<string, string>>): string[] {
  let keys = keyCache.get(options);
  if (!keys) {
    keys = Object.keys(options).map((k) => k.trim().toUpperCase());
    keyCache.set(options, keys);
  }
  return keys;
}

/** A {@link Verifier} (the context's `prompt` fills the reference's, see `withPrompt`) for multiple choice (reference: {@link MultipleChoiceReference}). */
export const multipleChoiceVerifier: Verifier<MultipleChoiceReference> = {
  name: 'multiple-choice',
  verify: (completion, ref, context) => verifyMultipleChoice(completion, withPrompt(ref, context)),
};
