/**
 * Hierarchical credit between ICD-10 codes (chapter, block, category, subcategory, full code) and
 * set-level precision / recall / F1 for several diagnoses.
 *
 * @packageDocumentation
 */
import { VerifierError } from '../error';
import { normalizeIcd10Code } from './normalize';
import type { Icd10CodeList } from './code-list';

/** How deep a predicted code agrees with a reference code, from best to worst. */
export type Icd10MatchLevel = 'exact' | 'descendant' | 'subcategory' | 'category' | 'block' | 'chapter' | 'none';

/** Credit per level, each in [0, 1]. */
export interface Icd10CreditWeights {
  /** Same code. Default 1. */
  exact: number;
  /** The prediction is a more specific code under the reference (E11.9 for E11). Default 1. */
  descendant: number;
  /** Same first 4 characters (e.g. E11.65 for E11.69, or E11.6 for E11.65). Default 0.75. */
  subcategory: number;
  /** Same 3-character category. Default 0.5. */
  category: number;
  /** Same block (e.g. E10-E14). Default 0.25. */
  block: number;
  /** Same chapter. Default 0.1. */
  chapter: number;
}

/** The default weights. */
export const DEFAULT_ICD10_WEIGHTS: Readonly<Icd10CreditWeights> = Object.freeze({
  exact: 1,
  descendant: 1,
  subcategory: 0.75,
  category: 0.5,
  block: 0.25,
  chapter: 0.1,
});

/** Thrown for invalid weights or codes (the message names the argument). */
export class Icd10HierarchyError extends VerifierError {
  constructor(message: string) {
    super(message);
    this.name = 'Icd10HierarchyError';
  }
}

/** The credit of one prediction against one reference. */
export interface Icd10Credit {
  level: Icd10MatchLevel;
  credit: number;
}

/**
 * Validates and completes partial weights.
 *
 * @throws {@link Icd10HierarchyError} when a weight is not a number in [0, 1]
 */
export function resolveIcd10Weights(weights: Partial<Icd10CreditWeights> = {}): Icd10CreditWeights {
  const w = { ...DEFAULT_ICD10_WEIGHTS, ...weights };
  for (const [k, v] of Object.entries(w)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new Icd10HierarchyError(`weights.${k} must be a number in [0, 1], got ${String(v)}`);
    }
  }
  return w;
}

/**
 * The deepest level at which `predicted` agrees with `reference`, and its credit.
 * Block and chapter levels need `codeList` (without it they count as 'none').
 *
 * @param predicted - a code in any accepted form
 * @param reference - a code in any accepted form
 * @param options.weights - credit per level (default {@link DEFAULT_ICD10_WEIGHTS})
 * @param options.codeList - for block and chapter lookup
 * @throws {@link Icd10HierarchyError} when either argument is not shaped like a code
 */
export function hierarchicalCredit(
  predicted: string,
  reference: string,
  options: { weights?: Partial<Icd10CreditWeights>; codeList?: Icd10CodeList } = {},
): Icd10Credit {
  const w = resolveIcd10Weights(options.weights);
  const p = normalizeIcd10Code(predicted);
  if (!p) throw new Icd10HierarchyError(`predicted: ${JSON.stringify(predicted)} is not an ICD-10 code`);
  const r = normalizeIcd10Code(reference);
  if (!r) throw new Icd10HierarchyError(`reference: ${JSON.stringify(reference)} is not an ICD-10 code`);
  const level = matchLevel(p.code, r.code, options.codeList);
  return { level, credit: level === 'none' ? 0 : w[level] };
}

function matchLevel(p: string, r: string, list?: Icd10CodeList): Icd10MatchLevel {
  if (p === r) return 'exact';
  if (p.startsWith(r)) return 'descendant';
  if (p.length >= 4 && r.length >= 4 && p.slice(0, 4) === r.slice(0, 4)) return 'subcategory';
  if (p.slice(0, 3) === r.slice(0, 3)) return 'category';
  if (!list) return 'none';
  const pb = list.blockOf(p);
  if (pb && pb === list.blockOf(r)) return 'block';
  const pc = list.chapterOf(p);
  if (pc && pc === list.chapterOf(r)) return 'chapter';
  return 'none';
}

/** One matched (prediction, reference) pair in {@link setScore}. */
export interface Icd10SetMatch {
  predicted: string;
  reference: string;
  level: Icd10MatchLevel;
  credit: number;
}

/** Set-level scores with hierarchical (soft) matching. */
export interface Icd10SetScore {
  /** Sum of matched credit / number of predictions (1 when both sets are empty, 0 when only predictions are empty). */
  precision: number;
  /** Sum of matched credit / number of references. */
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
  /** One-to-one matches with credit > 0, best first. */
  matches: Icd10SetMatch[];
  /** Predictions matched to nothing (dotted form). */
  unmatchedPredicted: string[];
  /** References matched by nothing (dotted form). */
  unmatchedReference: string[];
}

/**
 * Soft precision/recall/F1 of predicted codes against reference codes: each prediction is matched to at
 * most one reference and vice versa, greedily by decreasing credit (ties: input order), and a matched
 * pair contributes its {@link hierarchicalCredit}. Duplicates (after normalisation) count once.
 *
 * @param predicted - predicted codes (any accepted form)
 * @param reference - reference codes (any accepted form)
 * @param options - weights and code list, as for {@link hierarchicalCredit}
 * @throws {@link Icd10HierarchyError} when a code is not shaped like a code (names which list and index)
 */
export function setScore(
  predicted: readonly string[],
  reference: readonly string[],
  options: { weights?: Partial<Icd10CreditWeights>; codeList?: Icd10CodeList } = {},
): Icd10SetScore {
  const w = resolveIcd10Weights(options.weights);
  const norm = (xs: readonly string[], name: string): string[] => {
    const out: string[] = [];
    xs.forEach((x, i) => {
      const n = normalizeIcd10Code(x);
      if (!n) throw new Icd10HierarchyError(`${name}[${i}]: ${JSON.stringify(x)} is not an ICD-10 code`);
      if (!out.includes(n.code)) out.push(n.code);
    });
    return out;
  };
  const P = norm(predicted, 'predicted');
  const R = norm(reference, 'reference');
  const cands: { i: number; j: number; level: Icd10MatchLevel; credit: number }[] = [];
  P.forEach((p, i) =>
    R.forEach((r, j) => {
      const level = matchLevel(p, r, options.codeList);
      const credit = level === 'none' ? 0 : w[level];
      if (credit > 0) cands.push({ i, j, level, credit });
    }),
  );
  cands.sort((a, b) => b.credit - a.credit || a.i - b.i || a.j - b.j);
  const usedP = new Set<number>();
  const usedR = new Set<number>();
  const matches: Icd10SetMatch[] = [];
  let total = 0;
  for (const c of cands) {
    if (usedP.has(c.i) || usedR.has(c.j)) continue;
    usedP.add(c.i);
    usedR.add(c.j);
    total += c.credit;
    matches.push({ predicted: fmt(P[c.i]!), reference: fmt(R[c.j]!), level: c.level, credit: c.credit });
  }
  const precision = P.length === 0 ? (R.length === 0 ? 1 : 0) : total / P.length;
  const recall = R.length === 0 ? (P.length === 0 ? 1 : 0) : total / R.length;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    precision,
    recall,
    f1,
    matches,
    unmatchedPredicted: P.filter((_, i) => !usedP.has(i)).map(fmt),
    unmatchedReference: R.filter((_, j) => !usedR.has(j)).map(fmt),
  };
}

const fmt = (c: string): string => (c.length > 3 ? `${c.slice(0, 3)}.${c.slice(3)}` : c);
