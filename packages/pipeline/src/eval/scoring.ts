/**
 * Scoring of model outputs with `@quarkmed/verifier`:
 *
 * - multiple choice (single and multiple response): `scoreExam` (the verifier's exam scorer: the answer in any
 *   common format, JSON first; a hedge or every option earns nothing); multiple response exact by default,
 *   `mode: 'partial'` for partial credit;
 * - yes/no/maybe: the registry's `yes-no-maybe` verifier;
 * - open-ended (CMB-Clin): the registry's `text` kind with the judge you pass (`judge`: a `RemoteJudge` over a
 *   strong model, as CMB's own evaluation uses an LLM judge, or an `EquivalenceJudge` / `OntologyVerifier`), or,
 *   without a judge, the `keywords` verifier with the keywords you give per item (`keywords`: recall of required
 *   concepts, with synonyms and negation). There is no rule that scores free text against free text, so one of
 *   the two is required.
 *
 * Every verifier is given the prompt, so answer cues in text copied from the prompt do not count.
 *
 * @packageDocumentation
 */
import { createVerifier, scoreExam, type ExamRecord, type KeywordReference, type Verdict, type VerdictSource, type Verifier } from '@quarkmed/verifier';
import { EvalOptionError } from './eval-option-error';
import type { EvalItem, OpenItem } from './types';

/** Options of scoring. */
export interface ScoringOptions {
  /** Multiple-response scoring: `exact` (default, the whole gold set) or `partial` (share of gold, 0 if any wrong). */
  mode?: 'exact' | 'partial';
  /** The judge of open-ended answers (any `Verifier<string>`: reference answer → verdict). */
  judge?: Verifier<string>;
  /** Keywords of an open-ended item (used when there is no judge). */
  keywords?: (item: OpenItem) => KeywordReference;
}

/** The score of one output. */
export interface ItemScore {
  itemId: string;
  subject?: string;
  reward: number;
  verdict: Verdict;
  evidence: string;
  source: VerdictSource;
}

/** An output to score: the item, the raw output and the prompt text it answered. */
export interface ScoringInput {
  item: EvalItem;
  output: string;
  prompt: string;
}

/**
 * Scores outputs (in order).
 *
 * @throws {@link EvalOptionError} naming `judge` when there are open-ended items and neither `judge` nor
 * `keywords` is given, or naming `mode` for a bad mode.
 */
export async function scoreOutputs(inputs: readonly ScoringInput[], options: ScoringOptions = {}): Promise<ItemScore[]> {
  const mode = options.mode ?? 'exact';
  if (mode !== 'exact' && mode !== 'partial') throw new EvalOptionError('mode', `must be exact or partial, got ${String(mode)}`);
  const out: ItemScore[] = new Array(inputs.length);
  const choice: { index: number; record: ExamRecord }[] = [];
  const ynm = createVerifier('yes-no-maybe');
  let text: Verifier<string> | undefined;
  const keywords = createVerifier('keywords');
  for (let i = 0; i < inputs.length; i++) {
    const { item, output, prompt } = inputs[i]!;
    const base = { itemId: item.id, ...(item.subject !== undefined ? { subject: item.subject } : {}) };
    if (item.kind === 'multiple-choice') {
      choice.push({ index: i, record: { id: item.id, completion: output, answer: item.answer, options: item.options, responseType: item.responseType, mode, prompt } });
      continue;
    }
    let r;
    if (item.kind === 'yes-no-maybe') r = await ynm.verify(output, { answer: item.answer, prompt });
    else if (options.judge) {
      text ??= createVerifier('text', { judge: options.judge });
      r = await text.verify(output, item.answer);
    } else if (options.keywords) {
      r = await keywords.verify(output, { ...options.keywords(item), prompt });
    } else {
      throw new EvalOptionError('judge', `item ${item.id} (${item.benchmark}) is open-ended: pass a judge (a Verifier<string>, e.g. a RemoteJudge) or keywords per item`);
    }
    out[i] = { ...base, reward: r.reward, verdict: r.verdict, evidence: r.evidence, source: r.source };
  }
  if (choice.length > 0) {
    const exam = scoreExam(choice.map((c) => c.record));
    exam.perQuestion.forEach((q, k) => {
      const { index } = choice[k]!;
      const item = inputs[index]!.item;
      out[index] = { itemId: item.id, ...(item.subject !== undefined ? { subject: item.subject } : {}), reward: q.reward, verdict: q.verdict, evidence: q.evidence, source: 'rule' };
    });
  }
  return out;
}
