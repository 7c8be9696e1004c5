/** The shared core of rank and score fusion: per-document fused scores over ranked lists, best first. */
import type { Document } from '../types';

/** A fused document: its fused score and its 1-based rank in each input list (undefined where absent). */
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
 * Sums `contribution(listIndex, rank)` (rank 0-based) over the lists that contain each document, keyed by
 * {@link documentKey}. A list repeating a document counts it once, at its best rank; the first list's copy of a
 * document is the one returned. Best first; ties keep the order of first appearance (list by list, the sort is stable).
 * The caller validates the lists and the contributions.
 */
export function fuseRankedLists(lists: readonly { readonly documents: readonly Document[] }[], contribution: (listIndex: number, rank: number) => number): FusedDocument[] {
  const fused = new Map<string, FusedDocument>();
  lists.forEach((list, li) => {
    list.documents.forEach((doc, r) => {
      const key = documentKey(doc);
      let f = fused.get(key);
      if (!f) {
        f = { document: doc, score: 0, ranks: lists.map(() => undefined) };
        fused.set(key, f);
      }
      if (f.ranks[li] !== undefined) return;
      f.ranks[li] = r + 1;
      f.score += contribution(li, r);
    });
  });
  return [...fused.values()].sort((a, b) => b.score - a.score);
}
