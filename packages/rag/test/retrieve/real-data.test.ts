/**
 * BM25 on shipped real data (subsets of PubMedQA and CMExam, see fixtures/*.SOURCE.txt) against two trivial
 * baselines: a seeded random ranking and TF-only overlap (Σ over query tokens of their count in the passage, raw
 * lower-cased words and single CJK characters: no idf, no stop words, no stemming, no length normalisation).
 * The margins are stated in each test.
 */
import { mulberry32 } from '@quarkmed/model';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../../src/index';

interface Case {
  passages: { text: string; gold: string }[];
  queries: { text: string; gold: string }[];
}

function pubmedqa(): Case {
  const data = JSON.parse(readFileSync(new URL('../fixtures/pubmedqa-subset.json', import.meta.url), 'utf8')) as Record<string, { QUESTION: string; CONTEXTS: string[] }>;
  const entries = Object.entries(data);
  return {
    passages: entries.flatMap(([id, v]) => v.CONTEXTS.map((text) => ({ text, gold: id }))),
    queries: entries.map(([id, v]) => ({ text: v.QUESTION, gold: id })),
  };
}

function cmexam(): Case {
  const rows = readFileSync(new URL('../fixtures/cmexam-subset.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { Question: string; Explanation?: string })
    .filter((r) => typeof r.Explanation === 'string' && r.Explanation.trim() !== '' && r.Explanation !== 'nan');
  return { passages: rows.map((r, i) => ({ text: r.Explanation!, gold: String(i) })), queries: rows.map((r, i) => ({ text: r.Question, gold: String(i) })) };
}

/** R@1 and MRR@10 of a ranking function returning passage indexes, best first. */
function evaluate(c: Case, rank: (query: string) => number[]): { r1: number; mrr: number } {
  let r1 = 0;
  let mrr = 0;
  for (const q of c.queries) {
    const order = rank(q.text).slice(0, 10);
    const at = order.findIndex((i) => c.passages[i]!.gold === q.gold);
    if (at === 0) r1++;
    if (at >= 0) mrr += 1 / (at + 1);
  }
  return { r1: r1 / c.queries.length, mrr: mrr / c.queries.length };
}

function bm25(c: Case): (q: string) => number[] {
  const index = new Bm25Index();
  index.addDocuments(c.passages.map((p, i) => ({ pageContent: p.text, metadata: { id: String(i) } })));
  return (q) => index.search(q, 10).map((h) => Number(h.document.metadata.id));
}

const rawTokens = (text: string): string[] => text.toLowerCase().match(/\p{Script=Han}|[\p{L}\p{N}]+/gu) ?? [];

function tfOverlap(c: Case): (q: string) => number[] {
  const counts = c.passages.map((p) => {
    const m = new Map<string, number>();
    for (const t of rawTokens(p.text)) m.set(t, (m.get(t) ?? 0) + 1);
    return m;
  });
  return (q) => {
    const terms = rawTokens(q);
    const scores = counts.map((m) => terms.reduce((s, t) => s + (m.get(t) ?? 0), 0));
    return scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  };
}

function random(c: Case): (q: string) => number[] {
  const rand = mulberry32(7);
  return () => c.passages.map((_, i) => [i, rand()] as const).sort((a, b) => a[1] - b[1]).map(([i]) => i);
}

describe.each([
  ['English PubMedQA', pubmedqa, 0.3],
  ['Chinese CMExam', cmexam, 0.3],
] as const)('BM25 on %s', (_name, load, margin) => {
  const c = load();
  const ours = evaluate(c, bm25(c));
  const tf = evaluate(c, tfOverlap(c));
  const rnd = evaluate(c, random(c));

  it(`beats TF-only overlap by ≥ ${margin} MRR@10 and R@1`, () => {
    expect(c.queries.length).toBeGreaterThan(40);
    expect(ours.mrr).toBeGreaterThanOrEqual(tf.mrr + margin);
    expect(ours.r1).toBeGreaterThanOrEqual(tf.r1 + margin);
  });

  it('beats a seeded random ranking by ≥ 0.7 R@1 and puts the gold first for ≥ 85% of queries', () => {
    expect(ours.r1).toBeGreaterThanOrEqual(rnd.r1 + 0.7);
    expect(ours.r1).toBeGreaterThanOrEqual(0.85);
  });
});
