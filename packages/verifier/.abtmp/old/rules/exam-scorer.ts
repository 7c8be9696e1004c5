/**
 * Exam-benchmark scoring: multiple-choice verification over a list of records, with accuracy and per-question
 * results.
 *
 * @packageDocumentation
 */
import type { VerificationResult } from '../types';
import { verifyMultipleChoice, type MultipleChoiceReference } from './multiple-choice';

/** One answered exam question. */
export interface ExamRecord extends MultipleChoiceReference {
  /** Question id (default: its index). */
  id?: string | number;
  /** The model's output. */
  completion: string;
}

/** The result of one question. */
export interface ExamQuestionResult {
  id: string | number;
  gold: string;
  /** Extracted letters ('' when none). */
  chosen: string;
  reward: number;
  verdict: VerificationResult['verdict'];
  evidence: string;
}

/** The result of {@link scoreExam}. */
export interface ExamScore {
  n: number;
  /** Fraction of questions with verdict `correct`. */
  accuracy: number;
  /** Mean reward (equals accuracy under exact scoring; counts partial credit otherwise). */
  meanReward: number;
  counts: Record<VerificationResult['verdict'], number>;
  perQuestion: ExamQuestionResult[];
}

/**
 * Scores exam records with {@link verifyMultipleChoice}. A record whose gold is malformed counts as `invalid`
 * (reward 0) instead of aborting the run; its evidence names the problem.
 *
 * @param records - completions with gold answers (and options, scoring mode).
 * @param defaults - reference fields applied to every record that does not set them (e.g. `{ mode: 'partial' }`).
 */
export function scoreExam(records: readonly ExamRecord[], defaults: Partial<MultipleChoiceReference> = {}): ExamScore {
  const counts: ExamScore['counts'] = { correct: 0, partial: 0, incorrect: 0, unparseable: 0, invalid: 0 };
  const perQuestion: ExamQuestionResult[] = [];
  let sum = 0;
  records.forEach((rec, i) => {
    const id = rec.id ?? i;
    let r: VerificationResult;
    try {
      r = verifyMultipleChoice(rec.completion, { ...defaults, ...rec });
    } catch (e) {
      r = { reward: 0, verdict: 'invalid', evidence: e instanceof Error ? e.message : String(e), source: 'rule' };
    }
    counts[r.verdict]++;
    sum += r.reward;
    const gold = Array.isArray(rec.answer) ? rec.answer.join('') : String(rec.answer);
    perQuestion.push({ id, gold: gold.trim(), chosen: String(r.details?.chosen ?? ''), reward: r.reward, verdict: r.verdict, evidence: r.evidence });
  });
  const n = records.length;
  return { n, accuracy: n ? counts.correct / n : 0, meanReward: n ? sum / n : 0, counts, perQuestion };
}
