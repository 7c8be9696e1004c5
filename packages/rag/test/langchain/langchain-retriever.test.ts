import { Document as LangChainDocument } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@quarkmed/tensor-kernels';
import { EmbeddedVectorStore, type Retriever } from '../../src/index';
import { LangChainAdapterError, QuarkmedRetriever } from '../../src/langchain/index';
import { HashEmbedder, MEDICAL_DOCS } from '../stores/hash-embedder';

beforeAll(async () => {
  await initBackend('cpu', { log: false });
});

describe('QuarkmedRetriever (LangChain BaseRetriever adapter)', () => {
  it('returns the wrapped retriever’s documents as LangChain Documents, in order, in a chain', async () => {
    const store = new EmbeddedVectorStore(new HashEmbedder());
    await store.addDocuments(MEDICAL_DOCS.map((d) => ({ pageContent: d.text, metadata: { id: d.id, language: d.lang } })));
    const ours = store.asRetriever({ k: 3, filter: { language: 'en' } });
    const lc = new QuarkmedRetriever({ retriever: ours, tags: ['med'] });
    expect(lc).toBeInstanceOf(BaseRetriever);
    const q = 'first-line drug for type 2 diabetes';
    const got = await lc.invoke(q);
    const want = await ours.invoke(q);
    expect(got).toHaveLength(3);
    expect(got[0]).toBeInstanceOf(LangChainDocument);
    expect(got.map((d) => [d.pageContent, d.metadata, d.id])).toEqual(want.map((d) => [d.pageContent, d.metadata, d.metadata.id]));
    expect(got[0]!.metadata.id).toBe('dm2');
    // unchanged use in a LangChain chain: retrieve, then format a context string
    const chain = RunnableSequence.from([lc, RunnableLambda.from((docs: LangChainDocument[]) => docs.map((d, i) => `[${i + 1}] ${d.pageContent}`).join('\n'))]);
    expect(await chain.invoke(q)).toMatch(/^\[1\] Metformin/);
    // callbacks see the run
    const seen: string[] = [];
    await lc.invoke(q, { callbacks: [{ handleRetrieverEnd: (docs: LangChainDocument[]) => void seen.push(...docs.map((d) => String(d.id))) }] });
    expect(seen).toEqual(want.map((d) => d.metadata.id));
  });

  it('propagates the wrapped retriever’s errors and refuses a non-retriever', async () => {
    const failing: Retriever = { invoke: () => Promise.reject(new Error('index offline')) };
    await expect(new QuarkmedRetriever({ retriever: failing }).invoke('x')).rejects.toThrow('index offline');
    expect(() => new QuarkmedRetriever({ retriever: {} as Retriever })).toThrow(LangChainAdapterError);
  });
});
