/** Authority-aware re-scoring: a multiplier per authority level (A guidelines … E unvetted web text). */
import type { AuthorityLevel, DocumentMetadata } from '../types';
import { checkNumber } from '../validation/checks';
import { RagArgumentError } from '../validation/rag-argument-error';

/** Multipliers of a score by `metadata.authority`. */
export interface AuthorityWeights {
  A: number;
  B: number;
  C: number;
  D: number;
  E: number;
  /** For documents without an authority level. */
  unrated: number;
}

/**
 * Default multipliers: A 1.03, B 1.015, C 1.0, D 0.985, E 0.97, unrated 1.0. They act on fused RRF scores, where
 * neighbouring ranks near the top differ by only ~1.6% (1/61 vs 1/62): A over E is worth about four ranks, enough
 * to reorder near-ties in favour of better sources without letting a guideline that barely matches beat a passage
 * that answers the question. Scale them up for stronger preferences.
 */
export const DEFAULT_AUTHORITY_WEIGHTS: Readonly<AuthorityWeights> = Object.freeze({ A: 1.03, B: 1.015, C: 1.0, D: 0.985, E: 0.97, unrated: 1.0 });

/** Fills defaults and checks every weight is finite and > 0. @throws {@link RagArgumentError} naming the level. */
export function resolveAuthorityWeights(field: string, weights: Partial<AuthorityWeights> | undefined): AuthorityWeights {
  if (weights !== undefined && (typeof weights !== 'object' || weights === null)) throw new RagArgumentError(field, 'must be an object of level → weight');
  for (const key of Object.keys(weights ?? {})) {
    if (!(key in DEFAULT_AUTHORITY_WEIGHTS)) throw new RagArgumentError(`${field}.${key}`, 'is not an authority level (A–E or unrated)');
  }
  const w = { ...DEFAULT_AUTHORITY_WEIGHTS, ...weights };
  for (const key of Object.keys(w) as (keyof AuthorityWeights)[]) {
    checkNumber(`${field}.${key}`, w[key], Number.MIN_VALUE);
  }
  return w;
}

/** The multiplier for a document's metadata. */
export function authorityWeight(metadata: DocumentMetadata, weights: AuthorityWeights): number {
  const level = metadata.authority as AuthorityLevel | undefined;
  return level === undefined ? weights.unrated : weights[level] ?? weights.unrated;
}
