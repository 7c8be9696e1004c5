/**
 * Retrieval quality of an embedder on entity cards (names → cards), and a character-overlap baseline.
 *
 * @packageDocumentation
 */
import type { Embedder } from '../src/types';
import type { EntityCard } from './embedder-data';

/** Recall@1 and MRR@10 of a ranking per query (`gold` index, `scores` over the corpus). */
export interface RecallResult {
  r1: number;
  mrr10: number;
  n: number;
}

function rankOf(scores: ArrayLike<number>, gold: number): number {
  const g = scores[gold]!;
  let rank = 1;
  for (let i = 0; i < scores.length; i++) if (i !== gold && (scores[i]! > g || (scores[i] === g && i < gold))) rank++;
  return rank;
}

/** Aggregates ranks into R@1 / MRR@10. */
export function summarize(ranks: readonly number[]): RecallResult {
  const n = ranks.length;
  return { r1: ranks.filter((r) => r === 1).length / n, mrr10: ranks.reduce((a, r) => a + (r <= 10 ? 1 / r : 0), 0) / n, n };
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Each card's first name as the query, all the cards as the corpus. */
export async function embedderRecall(embedder: Embedder, cards: readonly EntityCard[]): Promise<RecallResult> {
  const docs = await embedder.embedDocuments(cards.map((c) => c.card));
  const queries = await embedder.embedDocuments(cards.map((c) => c.names[0]!));
  return summarize(queries.map((q, i) => rankOf(docs.map((d) => dot(q, d)), i)));
}

function trigrams(s: string): Set<string> {
  const t = ` ${s.toLowerCase()} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= t.length; i++) out.add(t.slice(i, i + 3));
  return out;
}

/** The trivial lexical baseline: character-trigram overlap (query trigrams found in the card / query trigrams). */
export function charOverlapRecall(cards: readonly EntityCard[]): RecallResult {
  const docs = cards.map((c) => trigrams(c.card));
  return summarize(
    cards.map((c, i) => {
      const q = trigrams(c.names[0]!);
      return rankOf(
        docs.map((d) => {
          let hit = 0;
          for (const g of q) if (d.has(g)) hit++;
          return hit / Math.max(1, q.size);
        }),
        i,
      );
    }),
  );
}
