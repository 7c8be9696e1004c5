/** Weighted reciprocal rank fusion (Cormack, Clarke & Büttcher 2009) of ranked lists. */
import type { Document } from '../types';
import { checkInteger, checkNumber } from '../validation/checks';
import { RagArgumentError } from '../validation/rag-argument-error';
import { fuseRankedLists, type FusedDocument } from './fuse-ranked-lists';

export { documentKey, type FusedDocument } from './fuse-ranked-lists';

/** One ranked list (best first) and its weight. */
export interface RankedList {
  documents: readonly Document[];
  weight: number;
}

/**
 * `score(d) = Σᵢ wᵢ / (k + rankᵢ(d))` over the lists that contain d (rank from 1), best first; ties keep the order of
 * first appearance (list by list). The first list's copy of a document is the one returned.
 *
 * @param k - the RRF constant, default 60 (the paper's).
 * @throws {@link RagArgumentError} for a negative or non-finite weight, all weights 0, or `k` < 1.
 */
export function reciprocalRankFusion(lists: readonly RankedList[], k = 60): FusedDocument[] {
  checkInteger('k', k, 1);
  if (lists.length === 0) throw new RagArgumentError('lists', 'needs at least one ranked list');
  lists.forEach((l, i) => checkNumber(`lists[${i}].weight`, l.weight, 0));
  if (lists.every((l) => l.weight === 0)) throw new RagArgumentError('lists', 'every weight is 0');
  return fuseRankedLists(lists, (li, r) => lists[li]!.weight / (k + r + 1));
}
