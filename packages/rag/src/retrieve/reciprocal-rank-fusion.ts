/** Weighted reciprocal rank fusion (Cormack, Clarke & Büttcher 2009) of ranked lists. */
import type { Document } from '../types';
import { checkInteger, checkNumber } from '../validation/checks';
import { RagArgumentError } from '../validation/rag-argument-error';

/** One ranked list (best first) and its weight. */
export interface RankedList {
  documents: readonly Document[];
  weight: number;
}

/** A fused document: its RRF score and its 1-based rank in each input list (undefined where absent). */
export interface FusedDocument {
  document: Document;
  score: number;
  ranks: (number | undefined)[];
}

/** The identity of a document across lists: `metadata.id`, else its text. */
export function documentKey(doc: Document): string {
  const id = doc.metadata.id;
  return typeof id === 'string' && id.length > 0 ? `id:${id}` : `text:${doc.pageContent}`;
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
  const fused = new Map<string, FusedDocument>();
  lists.forEach((list, li) => {
    list.documents.forEach((doc, r) => {
      const key = documentKey(doc);
      let f = fused.get(key);
      if (!f) {
        f = { document: doc, score: 0, ranks: lists.map(() => undefined) };
        fused.set(key, f);
      }
      if (f.ranks[li] !== undefined) return; // a list repeating a document counts it once, at its best rank
      f.ranks[li] = r + 1;
      f.score += list.weight / (k + r + 1);
    });
  });
  return [...fused.values()].sort((a, b) => b.score - a.score);
}
