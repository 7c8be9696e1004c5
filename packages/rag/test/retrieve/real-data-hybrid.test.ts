/**
 * The learned dense leg (the shipped `quarkmed-embed-mini`) and the BM25 + dense hybrid (RRF and score fusion) on shipped real data (the
 * PubMedQA and CMExam subsets of `real-data.test.ts`, see fixtures/*.SOURCE.txt), against a seeded random ranking
 * and against BM25 alone. The embedder was trained on inverse-cloze pairs cut from these corpora' passages (never
 * their questions), so these are in-domain numbers. The margins are stated in each test.
 */
import { mulberry32 } from '@quarkmed/model';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@quarkmed/tensor-kernels';
import { Bm25Index, EmbeddedVectorStore, HybridRetriever, type ModelEmbedder } from '../../src/index';
import { loadDefaultEmbedder } from '../../src/node/index';

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

interface Metrics {
  r1: number;
  mrr: number;
}

async function evaluate(c: Case, rank: (query: string) => Promise<number[]>): Promise<Metrics> {
  let r1 = 0;
  let mrr = 0;
  for (const q of c.queries) {
    const order = (await rank(q.text)).slice(0, 10);
    const at = order.findIndex((i) => c.passages[i]!.gold === q.gold);
    if (at === 0) r1++;
    if (at >= 0) mrr += 1 / (at + 1);
  }
  return { r1: r1 / c.queries.length, mrr: mrr / c.queries.length };
}

let embedder: ModelEmbedder;
beforeAll(async () => {
  await initBackend('wasm', { threads: 1, log: false });
  embedder = await loadDefaultEmbedder();
});
afterAll(() => embedder?.dispose());

describe.each([
  ['English PubMedQA', pubmedqa],
  ['Chinese CMExam', cmexam],
] as const)('dense and hybrid on %s', (name, load) => {
  const c = load();
  const docs = c.passages.map((p, i) => ({ pageContent: p.text, metadata: { id: String(i) } }));
  let bm25: Metrics;
  let dense: Metrics;
  let hybrid: Metrics;
  let scoreHybrid: Metrics;
  let random: Metrics;
  beforeAll(async () => {
    const index = new Bm25Index();
    index.addDocuments(docs);
    const store = new EmbeddedVectorStore(embedder);
    await store.addDocuments(docs);
    const retriever = new HybridRetriever({ sparse: index, dense: store, k: 10, fetchK: 50, weights: { sparse: 1, dense: 1 }, rrfK: 60 });
    const ids = (ds: { metadata: { id?: string } }[]): number[] => ds.map((d) => Number(d.metadata.id));
    bm25 = await evaluate(c, async (q) => ids(index.search(q, 10).map((h) => h.document)));
    dense = await evaluate(c, async (q) => ids(await store.similaritySearch(q, 10)));
    hybrid = await evaluate(c, async (q) => ids(await retriever.invoke(q)));
    const byScore = new HybridRetriever({ sparse: index, dense: store, k: 10, fetchK: 50, weights: { sparse: 1, dense: 1 }, fusion: 'score' });
    scoreHybrid = await evaluate(c, async (q) => ids(await byScore.invoke(q)));
    const rand = mulberry32(7);
    random = await evaluate(c, async () => c.passages.map((_, i) => [i, rand()] as const).sort((a, b) => a[1] - b[1]).map(([i]) => i));
    console.log(JSON.stringify({ [name]: { queries: c.queries.length, passages: c.passages.length, bm25, dense, hybrid, scoreHybrid, random } }));
  }, 120_000);

  it('dense alone beats a seeded random ranking by at least 0.5 R@1 and 0.5 MRR@10', () => {
    expect(dense.r1).toBeGreaterThanOrEqual(random.r1 + 0.5);
    expect(dense.mrr).toBeGreaterThanOrEqual(random.mrr + 0.5);
  });

  it('hybrid (RRF 1:1, k = 60) beats the dense leg alone by at least 0.1 R@1 (the sparse leg is used)', () => {
    expect(hybrid.r1).toBeGreaterThanOrEqual(dense.r1 + 0.1);
    expect(hybrid.mrr).toBeGreaterThan(dense.mrr);
  });

  it('score fusion (1:1) keeps BM25 quality (at most 0.02 R@1 below BM25 alone) and beats RRF 1:1 by at least 0.03 R@1 and MRR@10', () => {
    expect(scoreHybrid.r1).toBeGreaterThanOrEqual(bm25.r1 - 0.02);
    expect(scoreHybrid.r1).toBeGreaterThanOrEqual(hybrid.r1 + 0.03);
    expect(scoreHybrid.mrr).toBeGreaterThanOrEqual(hybrid.mrr + 0.03);
  });
});
