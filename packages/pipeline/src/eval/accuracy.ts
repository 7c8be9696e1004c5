/**
 * Accuracy with 95% Wilson intervals, overall and per subject (or department, or task).
 *
 * @packageDocumentation
 */
import type { Verdict } from '@quarkmed/verifier';
import type { ItemScore } from './scoring';
import { wilsonInterval, type Interval } from './wilson';

/** Accuracy of a set of scored items. */
export interface AccuracyCell {
  n: number;
  /** Items with verdict `correct`. */
  correct: number;
  /** correct / n (0 when n is 0). */
  accuracy: number;
  /** 95% Wilson interval of the accuracy. */
  ci: Interval;
  /** Mean reward (partial credit counted; equals the accuracy under exact scoring). */
  meanReward: number;
  counts: Record<Verdict, number>;
}

/** The accuracy table of one run. */
export interface AccuracyReport {
  overall: AccuracyCell;
  /** Subject → accuracy, for items that have a subject (sorted by subject). */
  bySubject: Record<string, AccuracyCell>;
}

function cell(scores: readonly ItemScore[]): AccuracyCell {
  const counts: Record<Verdict, number> = { correct: 0, partial: 0, incorrect: 0, unparseable: 0, invalid: 0 };
  let sum = 0;
  for (const s of scores) {
    counts[s.verdict]++;
    sum += s.reward;
  }
  const n = scores.length;
  return { n, correct: counts.correct, accuracy: n ? counts.correct / n : 0, ci: wilsonInterval(counts.correct, n), meanReward: n ? sum / n : 0, counts };
}

/** Accuracy overall and per subject. */
export function accuracyReport(scores: readonly ItemScore[]): AccuracyReport {
  const groups = new Map<string, ItemScore[]>();
  for (const s of scores) {
    if (s.subject === undefined) continue;
    let g = groups.get(s.subject);
    if (!g) groups.set(s.subject, (g = []));
    g.push(s);
  }
  const bySubject: Record<string, AccuracyCell> = {};
  for (const k of [...groups.keys()].sort()) bySubject[k] = cell(groups.get(k)!);
  return { overall: cell(scores), bySubject };
}
