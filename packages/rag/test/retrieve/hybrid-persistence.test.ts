import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@quarkmed/tensor-kernels';
import { Bm25Index, EmbeddedVectorStore, HybridRetriever, type Document } from '../../src/index';
import { HashEmbedder } from '../stores/hash-embedder';

const corpus: Document[] = [
  { pageContent: 'Metformin is the first-line drug for type 2 diabetes.', metadata: { id: 'dm2', language: 'en' } },
  { pageContent: 'Insulin treats type 1 diabetes and severe hyperglycaemia.', metadata: { id: 'dm1', language: 'en' } },
  { pageContent: 'Aspirin is given at once in suspected myocardial infarction.', metadata: { id: 'mi', language: 'en' } },
  { pageContent: '二甲双胍是2型糖尿病的一线用药。', metadata: { id: 'zh-dm2', language: 'zh' } },
  { pageContent: '急性喉炎可见嘶哑样咳嗽。', metadata: { id: 'zh-hx', language: 'zh' } },
];
const queries = ['first-line drug for type 2 diabetes', 'insulin diabetes', '糖尿病 一线用药', '嘶哑样咳嗽'];
const fusions = [{ fusion: 'rrf' as const }, { fusion: 'score' as const }];

async function build() {
  const e = new HashEmbedder();
  const sparse = new Bm25Index();
  sparse.addDocuments(corpus);
  const dense = new EmbeddedVectorStore(e);
  await dense.addDocuments(corpus);
  return { e, sparse, dense };
}
const run = async (sparse: Bm25Index, dense: EmbeddedVectorStore) => {
  const out: unknown[] = [];
  for (const f of fusions) for (const q of queries) out.push((await new HybridRetriever({ sparse, dense, k: 5, ...f }).search(q)).map((r) => [r.document.metadata.id, r.score, r.sparseRank, r.denseRank]));
  return out;
};

beforeAll(async () => {
  await initBackend('cpu', { log: false });
});

describe('HybridRetriever over saved and reloaded indexes', () => {
  it('gives identical results after both indexes round-trip (BM25 bytes, store buffer), with either fusion', async () => {
    const { e, sparse, dense } = await build();
    const want = await run(sparse, dense);
    expect(await run(Bm25Index.fromBytes(sparse.toBytes()), EmbeddedVectorStore.fromArrayBuffer(dense.toArrayBuffer(), e))).toEqual(want);
  });

  it('never returns a document deleted from both indexes, before and after a round trip', async () => {
    const { e, sparse, dense } = await build();
    sparse.delete({ ids: ['dm2', 'zh-dm2'] });
    await dense.delete({ ids: ['dm2', 'zh-dm2'] });
    const back = { sparse: Bm25Index.fromBytes(sparse.toBytes()), dense: EmbeddedVectorStore.fromArrayBuffer(dense.toArrayBuffer(), e) };
    for (const [s, d] of [[sparse, dense], [back.sparse, back.dense]] as const) {
      for (const f of fusions) {
        for (const q of queries) {
          const ids = (await new HybridRetriever({ sparse: s, dense: d, k: 5, ...f }).invoke(q)).map((x) => x.metadata.id);
          expect(ids).not.toContain('dm2');
          expect(ids).not.toContain('zh-dm2');
        }
      }
    }
    expect(back.sparse.size).toBe(3);
    expect(back.dense.size).toBe(3);
  });
});
