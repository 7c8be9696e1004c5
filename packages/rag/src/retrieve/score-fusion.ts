/**
 * Score-level fusion of ranked lists: a weighted sum of each list's scores, each list on a fixed scale, in the
 * spirit of Bruch, Gai & Ingber (2023, "An analysis of fusion functions for hybrid retrieval": a convex combination
 * of scores normalised with their theoretical minimum beats reciprocal rank fusion when one retriever is weaker).
 *
 * Unlike rank fusion, it keeps how far apart two documents are: a BM25 winner by a wide margin stays first unless
 * the other list disagrees strongly, while a near-tie is settled by the other list.
 */
import type { Document } from '../types';
import { checkNumber } from '../validation/checks';
import { RagArgumentError } from '../validation/rag-argument-error';
import { fuseRankedLists, type FusedDocument } from './fuse-ranked-lists';

/**
 * How a list's scores are put on a common scale before they are weighted:
 * - `max`: divided by the list's best score (for non-negative scores such as BM25, whose theoretical minimum is 0
 *   and whose scale varies with the query);
 * - `none`: used as they are (for scores on a fixed scale, such as cosine similarity in [−1, 1]; stretching them
 *   per query, e.g. min-max, would turn a weak embedder's tiny gaps into large ones).
 */
export type ScoreScale = 'max' | 'none';

/** One ranked list (best first) with its scores, weight and scale. */
export interface ScoredList {
  documents: readonly Document[];
  /** One score per document, in the same order, non-increasing. */
  scores: readonly number[];
  weight: number;
  scale: ScoreScale;
}

/**
 * `score(d) = Σᵢ wᵢ · (sᵢ(d) − sᵢ,last) / cᵢ` over the lists, where `sᵢ,last` is the list's lowest score, `cᵢ` its
 * best score for `scale: 'max'` (1 for `none`), and a document absent from list i counts as the list's lowest score
 * (the most a top-k list tells about a document it left out). Subtracting the lowest score changes no ranking; it
 * makes every fused score ≥ 0 and an absent document contribute 0. Best first; ties keep the order of first
 * appearance (list by list). The first list's copy of a document is the one returned; `ranks` are 1-based.
 *
 * @throws {@link RagArgumentError} for no lists, a bad weight, all weights 0, scores of another length, non-finite
 * or increasing scores, a `max` list whose best score is not positive, or an unknown scale.
 */
export function scoreFusion(lists: readonly ScoredList[]): FusedDocument[] {
  if (lists.length === 0) throw new RagArgumentError('lists', 'needs at least one ranked list');
  const scales = lists.map((l, i) => {
    checkNumber(`lists[${i}].weight`, l.weight, 0);
    if (l.scores.length !== l.documents.length) throw new RagArgumentError(`lists[${i}].scores`, `has ${l.scores.length} scores for ${l.documents.length} documents`);
    l.scores.forEach((s, r) => {
      if (!Number.isFinite(s)) throw new RagArgumentError(`lists[${i}].scores[${r}]`, `must be finite, got ${s}`);
      if (r > 0 && s > l.scores[r - 1]!) throw new RagArgumentError(`lists[${i}].scores[${r}]`, 'is higher than the score before it (lists are best first)');
    });
    if (l.scale !== 'max' && l.scale !== 'none') throw new RagArgumentError(`lists[${i}].scale`, `must be "max" or "none", got ${JSON.stringify(l.scale)}`);
    if (l.scale === 'max' && l.scores.length > 0 && !(l.scores[0]! > 0)) throw new RagArgumentError(`lists[${i}].scores[0]`, 'must be > 0 for scale "max"');
    return l.scale === 'max' && l.scores.length > 0 ? l.scores[0]! : 1;
  });
  if (lists.every((l) => l.weight === 0)) throw new RagArgumentError('lists', 'every weight is 0');
  const lasts = lists.map((l) => l.scores[l.scores.length - 1] ?? 0);
  return fuseRankedLists(lists, (li, r) => (lists[li]!.weight * (lists[li]!.scores[r]! - lasts[li]!)) / scales[li]!);
}
