import { describe, expect, it } from 'vitest';
import { Bm25Index, Bm25Retriever, HybridRetriever, RagArgumentError, type Document } from '../../src/index';
import { TestDenseStore } from './test-dense-store';

const corpus: Document[] = [
  { pageContent: 'Metformin is the first-line drug for type 2 diabetes.', metadata: { id: 'g1', authority: 'A', date: '2023-05-01', source: 'guideline' } },
  { pageContent: 'Metformin is the first line drug for type 2 diabetes mellitus.', metadata: { id: 'w1', authority: 'E', date: '2024-01-01', source: 'web' } },
  { pageContent: 'Insulin treats type 1 diabetes.', metadata: { id: 't1', authority: 'B', date: '2019-03-01', source: 'textbook' } },
  { pageContent: 'Sulfonylureas lower glucose in diabetes.', metadata: { id: 'p1', authority: 'C', source: 'paper' } },
  { pageContent: 'Aspirin relieves headache.', metadata: { id: 'x1', authority: 'C', date: '2022-01-01', source: 'paper' } },
];

async function setup() {
  const sparse = new Bm25Index();
  sparse.addDocuments(corpus);
  const dense = new TestDenseStore();
  await dense.addDocuments(corpus);
  return { sparse, dense };
}
const ids = (docs: Document[]) => docs.map((d) => d.metadata.id);

describe('HybridRetriever', () => {
  it('fuses sparse and dense by weighted RRF and reports both ranks', async () => {
    const { sparse, dense } = await setup();
    const r = new HybridRetriever({ sparse, dense, k: 3, authority: false });
    const res = await r.search('first-line drug for type 2 diabetes');
    expect(res).toHaveLength(3);
    for (const x of res) {
      const expected = (x.sparseRank ? 1 / (60 + x.sparseRank) : 0) + (x.denseRank ? 1 / (60 + x.denseRank) : 0);
      expect(x.score).toBeCloseTo(expected, 15);
    }
    expect(res[0]!.document.metadata.id).toMatch(/g1|w1/);
    const sparseOnly = await r.search('first-line drug for type 2 diabetes', { weights: { dense: 0 } });
    expect(sparseOnly.every((x) => x.denseRank === undefined)).toBe(true);
    expect(ids(sparseOnly.map((x) => x.document))).toEqual(ids(sparse.search('first-line drug for type 2 diabetes', 3).map((h) => h.document)));
  });

  it('fusion "score" adds BM25 over its best and the dense score, each less its list\'s lowest', async () => {
    const { sparse, dense } = await setup();
    const q = 'first-line drug for type 2 diabetes';
    const res = await new HybridRetriever({ sparse, dense, k: 5, authority: false, fusion: 'score', weights: { sparse: 1, dense: 0.5 } }).search(q);
    const bm = sparse.search(q, 50);
    const cos = await dense.similaritySearchWithScore(q, 50);
    const bmOf = new Map(bm.map((h) => [h.document.metadata.id, h.score]));
    const cosOf = new Map(cos.map(([doc, s]) => [doc.metadata.id, s]));
    const bmLast = bm[bm.length - 1]!.score;
    const cosLast = cos[cos.length - 1]![1];
    for (const x of res) {
      const id = x.document.metadata.id;
      const expected = ((bmOf.get(id) ?? bmLast) - bmLast) / bm[0]!.score + 0.5 * ((cosOf.get(id) ?? cosLast) - cosLast);
      expect(x.score).toBeCloseTo(expected, 12);
    }
    expect(res.map((x) => x.score)).toEqual([...res.map((x) => x.score)].sort((a, b) => b - a));
  });

  it('authority re-scoring lifts the guideline over the near-identical web page', async () => {
    const { sparse, dense } = await setup();
    const q = 'metformin first line drug type 2 diabetes mellitus';
    const plain = await new HybridRetriever({ sparse, dense, authority: false }).invoke(q);
    expect(plain[0]!.metadata.id).toBe('w1');
    const rated = await new HybridRetriever({ sparse, dense }).invoke(q);
    expect(rated[0]!.metadata.id).toBe('g1');
  });

  it('MMR prunes the redundant duplicate, using the embedder for vectors', async () => {
    const { sparse, dense } = await setup();
    const q = 'metformin first line drug type 2 diabetes';
    const without = await new HybridRetriever({ sparse, dense, k: 2, authority: false }).invoke(q);
    expect(ids(without).sort()).toEqual(['g1', 'w1']);
    const calls = dense.embedder.calls;
    const withMmr = await new HybridRetriever({ sparse, dense, k: 2, authority: false, mmr: { lambda: 0.5 } }).invoke(q);
    expect(dense.embedder.calls).toBe(calls + 1);
    expect(withMmr).toHaveLength(2);
    expect(ids(withMmr)).toContain('g1');
    expect(ids(withMmr)).not.toContain('w1');
  });

  it('applies metadata and freshness filters to both lists', async () => {
    const { sparse, dense } = await setup();
    const r = new HybridRetriever({ sparse, dense, k: 5 });
    // The dense store returns every document (hashed vectors, exact search); the filters must still hold.
    expect(ids(await r.invoke('diabetes')).sort()).toEqual(['g1', 'p1', 't1', 'w1', 'x1']);
    const fresh = await r.search('diabetes', { freshness: { since: '2023-01-01' } });
    expect(ids(fresh.map((x) => x.document)).sort()).toEqual(['g1', 'w1']);
    const keep = await r.search('diabetes', { freshness: { since: '2023', undated: 'keep' } });
    expect(ids(keep.map((x) => x.document)).sort()).toEqual(['g1', 'p1', 'w1']);
    const filtered = await r.search('diabetes', { filter: { source: ['textbook', 'paper'] } });
    expect(ids(filtered.map((x) => x.document)).sort()).toEqual(['p1', 't1', 'x1']);
  });

  it('works with only one side, and as a plain BM25 retriever', async () => {
    const { sparse, dense } = await setup();
    expect(ids(await new HybridRetriever({ dense, k: 1 }).invoke('insulin type 1'))).toEqual(['t1']);
    expect(ids(await new HybridRetriever({ sparse, k: 1 }).invoke('insulin type 1'))).toEqual(['t1']);
    expect(ids(await new Bm25Retriever(sparse, { k: 1, freshness: { until: '2020-01-01' } }).invoke('diabetes'))).toEqual(['t1']);
  });

  it('rejects bad options with the key named', async () => {
    const { sparse, dense } = await setup();
    expect(() => new HybridRetriever({})).toThrow(RagArgumentError);
    expect(() => new HybridRetriever({ sparse, k: 0 })).toThrow(/options\.k/);
    expect(() => new HybridRetriever({ sparse, dense, weights: { sparse: -1 } })).toThrow(/options\.weights\.sparse/);
    expect(() => new HybridRetriever({ sparse, dense, weights: { sparse: 0, dense: 0 } })).toThrow(/every weight/);
    expect(() => new HybridRetriever({ sparse, weights: { sparse: Number.NaN } })).toThrow(/options\.weights\.sparse/);
    expect(() => new HybridRetriever({ sparse, rrfK: 0 })).toThrow(/options\.rrfK/);
    expect(() => new HybridRetriever({ sparse, fusion: 'sum' as never })).toThrow(/options\.fusion/);
    expect(() => new HybridRetriever({ sparse, authority: { A: 0 } })).toThrow(/options\.authority\.A/);
    expect(() => new HybridRetriever({ sparse, authority: { Z: 1 } as never })).toThrow(/options\.authority\.Z/);
    expect(() => new HybridRetriever({ sparse, freshness: { since: 'last year' } })).toThrow(/options\.freshness\.since/);
    expect(() => new HybridRetriever({ sparse, freshness: { since: '2024', until: '2023' } })).toThrow(/since is after until/);
    expect(() => new HybridRetriever({ sparse, mmr: { lambda: 2 } })).toThrow(/options\.mmr\.lambda/);
    await expect(new HybridRetriever({ sparse, mmr: { lambda: 0.5 } }).invoke('diabetes')).rejects.toThrow(/options\.mmr\.embedder/);
    await expect(new HybridRetriever({ sparse }).invoke(' ')).rejects.toThrow(/query: is empty/);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(new HybridRetriever({ sparse, dense }).invoke('diabetes', { signal: ac.signal })).rejects.toThrow('stop');
  });
});
