import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@quarkmed/tensor-kernels';
import { DimensionMismatchError, EmbeddedVectorStore, EmptyDocumentError, IndexCorruptError, RagError, VectorStoreError, type Document } from '../../src/index';
import { loadVectorStore, reloadVectorStore, saveVectorStore } from '../../src/node/index';
import { bruteForceTopK, HashEmbedder, MEDICAL_DOCS } from './hash-embedder';

const docs = (): Document[] => MEDICAL_DOCS.map((d) => ({ pageContent: d.text, metadata: { id: d.id, language: d.lang, authority: d.authority as 'A' } }));
const QUERIES = ['first-line drug for type 2 diabetes', 'treatment of high blood pressure', '哮喘的首选药物', 'pneumonia antibiotics', 'reflux oesophagitis'];

async function snapshot(store: EmbeddedVectorStore): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of QUERIES) out.push((await store.similaritySearchWithScore(q, 4)).map(([d, s]) => [d.metadata.id, d.pageContent, d.metadata, Math.round(s * 1e6)]));
  out.push((await store.similaritySearchWithScore('drug therapy', 9, { language: 'zh' })).map(([d]) => d.metadata.id));
  return out;
}

let dir: string;
beforeAll(async () => {
  await initBackend('cpu', { log: false });
  dir = await mkdtemp(join(tmpdir(), 'rag-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('EmbeddedVectorStore search', () => {
  it('returns the exact top-k of a brute-force cosine search, best first', async () => {
    const e = new HashEmbedder(32);
    const store = new EmbeddedVectorStore(e);
    const ids = await store.addDocuments(docs());
    expect(ids).toEqual(MEDICAL_DOCS.map((d) => d.id));
    const rows = MEDICAL_DOCS.map((d) => ({ id: d.id, v: e.embedOne(d.text) }));
    for (const q of QUERIES) {
      const got = await store.similaritySearchWithScore(q, 5);
      const want = bruteForceTopK(e.embedOne(q), rows, 5);
      expect(got.map(([d]) => d.metadata.id)).toEqual(want.map((w) => w.id));
      got.forEach(([, s], i) => expect(s).toBeCloseTo(want[i]!.score, 5));
    }
    expect((await store.similaritySearch('metformin type 2 diabetes', 1))[0]!.metadata.id).toBe('dm2');
    const batched = await store.similaritySearchVectorsWithScore(QUERIES.map((q) => e.embedOne(q)), 3);
    for (const [i, q] of QUERIES.entries()) expect(batched[i]!.map(([d]) => d.metadata.id)).toEqual((await store.similaritySearch(q, 3)).map((d) => d.metadata.id));
  });

  it('applies metadata filters (value and list of values) and caps k at the matches', async () => {
    const store = new EmbeddedVectorStore(new HashEmbedder());
    await store.addDocuments(docs());
    const zh = await store.similaritySearch('diabetes', 10, { language: 'zh' });
    expect(zh.map((d) => d.metadata.id).sort()).toEqual(['zh-gxy', 'zh-tnb', 'zh-xc']);
    const ab = await store.similaritySearch('treatment', 10, { language: 'en', authority: ['A', 'B'] });
    expect(ab.map((d) => d.metadata.id).sort()).toEqual(['asthma', 'cap', 'dm2', 'htn']);
    expect(await store.similaritySearch('treatment', 3, { language: 'fr' })).toEqual([]);
    expect(() => store.asRetriever({ filter: { language: [] } })).toThrow(RagError);
    await expect(store.similaritySearch('x y z', 2, { language: { $ne: 'en' } } as never)).rejects.toThrow(/filter\.language/);
  });

  it('replaces by id, deletes from the index, and generates ids that never collide', async () => {
    const store = new EmbeddedVectorStore(new HashEmbedder());
    await store.addDocuments(docs());
    await store.addDocuments([{ pageContent: 'Insulin is added when metformin fails in type 2 diabetes.', metadata: { id: 'dm2', language: 'en' } }]);
    expect(store.size).toBe(MEDICAL_DOCS.length);
    expect(store.getDocument('dm2')!.pageContent).toMatch(/^Insulin/);
    await store.delete({ ids: ['dm2', 'htn', 'not-there'] });
    expect(store.size).toBe(MEDICAL_DOCS.length - 2);
    const hits = await store.similaritySearch('metformin insulin diabetes', 20);
    expect(hits.map((d) => d.metadata.id)).not.toContain('dm2');
    expect(hits.map((d) => d.metadata.id)).not.toContain('htn');
    expect(hits).toHaveLength(MEDICAL_DOCS.length - 2);
    const gen = await store.addDocuments([{ pageContent: 'alpha text', metadata: {} }, { pageContent: 'beta text', metadata: {} }]);
    expect(gen).toEqual(['doc-0', 'doc-1']);
    expect(await store.addDocuments([{ pageContent: 'gamma text', metadata: {} }])).toEqual(['doc-2']);
  });

  it('refuses bad input with typed errors and leaves the store intact', async () => {
    const e = new HashEmbedder();
    const store = new EmbeddedVectorStore(e);
    await store.addDocuments(docs());
    const before = await snapshot(store);
    const empty = [{ pageContent: 'fine text', metadata: { id: 'new1' } }, { pageContent: '   ', metadata: { id: 'new2' } }];
    await expect(store.addDocuments(empty)).rejects.toThrow(EmptyDocumentError);
    await expect(store.addDocuments(empty)).rejects.toThrow(/documents\[1\]\.pageContent/);
    await expect(store.addVectors([new Float32Array(16)], [{ pageContent: 'x text', metadata: { id: 'htn' } }])).rejects.toThrow(DimensionMismatchError);
    await expect(store.addVectors([new Float32Array(32).fill(Number.NaN)], [{ pageContent: 'x text', metadata: { id: 'htn' } }])).rejects.toThrow(/not finite/);
    await expect(store.similaritySearchVectorWithScore(new Float32Array(31), 3)).rejects.toThrow(DimensionMismatchError);
    await expect(store.addDocuments([docs()[0]!, docs()[0]!])).rejects.toThrow(/appears twice/);
    await expect(store.similaritySearch('', 3)).rejects.toThrow(VectorStoreError);
    await expect(store.similaritySearch('x', 0)).rejects.toThrow(/k: must be an integer/);
    // an embedder that returns the wrong dimension
    const bad = new EmbeddedVectorStore({ dimension: 32, normalized: true, embedDocuments: async (t) => t.map(() => new Float32Array(8)), embedQuery: async () => new Float32Array(8) });
    await expect(bad.addDocuments(docs())).rejects.toThrow(DimensionMismatchError);
    expect(bad.size).toBe(0);
    expect(store.has('new1')).toBe(false);
    expect(await snapshot(store)).toEqual(before);
  });
});

describe('EmbeddedVectorStore persistence', () => {
  it('round-trips through an ArrayBuffer and a directory with identical results', async () => {
    const e = new HashEmbedder();
    const store = new EmbeddedVectorStore(e);
    await store.addDocuments(docs());
    await store.delete({ ids: ['mi'] });
    const want = await snapshot(store);
    const fromBuffer = EmbeddedVectorStore.fromArrayBuffer(store.toArrayBuffer(), e);
    expect(await snapshot(fromBuffer)).toEqual(want);
    expect(fromBuffer.listIds()).toEqual(store.listIds());
    expect(Array.from(fromBuffer.getVector('dm2')!)).toEqual(Array.from(store.getVector('dm2')!));
    const d = join(dir, 'idx');
    await saveVectorStore(store, d);
    expect((await readdir(d)).sort()).toEqual(['documents.jsonl', 'manifest.json', 'vectors.f32']);
    const fromDir = await loadVectorStore(d, e);
    expect(await snapshot(fromDir)).toEqual(want);
    // deleted documents stay deleted after reload, from every part of the index
    expect(fromDir.has('mi')).toBe(false);
    expect((await readFile(join(d, 'documents.jsonl'), 'utf8')).includes('"mi"')).toBe(false);
    expect((await fromDir.similaritySearch('myocardial infarction aspirin', 20)).map((x) => x.metadata.id)).not.toContain('mi');
    // saving again replaces the directory as a unit
    await fromDir.addDocuments([{ pageContent: 'Statins lower LDL cholesterol.', metadata: { id: 'ldl' } }]);
    await saveVectorStore(fromDir, d);
    expect((await loadVectorStore(d, e)).size).toBe(fromDir.size);
    expect((await readdir(dir)).filter((n) => n !== 'idx')).toEqual([]);
  });

  it('loads in a browser-style way from a URL (fetch)', async () => {
    const e = new HashEmbedder();
    const store = new EmbeddedVectorStore(e);
    await store.addDocuments(docs());
    const bytes = Buffer.from(store.toArrayBuffer());
    const server: Server = createServer((req, res) => {
      if (req.url === '/index.qmvs') res.end(bytes);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const loaded = await EmbeddedVectorStore.fromUrl(`${base}/index.qmvs`, e);
      expect(await snapshot(loaded)).toEqual(await snapshot(store));
      await expect(EmbeddedVectorStore.fromUrl(`${base}/missing`, e)).rejects.toThrow(/HTTP 404/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses corrupted, truncated and mismatched indexes with IndexCorruptError, leaving the loaded store and the files intact', async () => {
    const e = new HashEmbedder();
    const store = new EmbeddedVectorStore(e);
    await store.addDocuments(docs());
    const want = await snapshot(store);
    const buf = new Uint8Array(store.toArrayBuffer());
    const flipped = buf.slice();
    flipped[buf.length - 40]! ^= 0xff;
    expect(() => EmbeddedVectorStore.fromArrayBuffer(flipped, e)).toThrow(IndexCorruptError);
    expect(() => EmbeddedVectorStore.fromArrayBuffer(buf.slice(0, buf.length - 7), e)).toThrow(/checksum mismatch/);
    expect(() => EmbeddedVectorStore.fromArrayBuffer(new Uint8Array(40), e)).toThrow(/magic/);
    expect(() => EmbeddedVectorStore.fromArrayBuffer(buf, new HashEmbedder(16))).toThrow(DimensionMismatchError);

    const d = join(dir, 'corrupt');
    await saveVectorStore(store, d);
    const original = await readFile(join(d, 'vectors.f32'));
    const loaded = await loadVectorStore(d, e);
    const bad = original.subarray();
    const altered = Buffer.from(bad);
    altered[5]! ^= 0x01;
    await writeFile(join(d, 'vectors.f32'), altered);
    await expect(loadVectorStore(d, e)).rejects.toThrow(/vectors\.f32: checksum mismatch/);
    await expect(reloadVectorStore(loaded, d)).rejects.toThrow(IndexCorruptError);
    expect(await snapshot(loaded)).toEqual(want);
    await writeFile(join(d, 'vectors.f32'), original.subarray(0, original.length - 4));
    await expect(loadVectorStore(d, e)).rejects.toThrow(/vectors\.f32: has \d+ bytes, the manifest says/);
    await writeFile(join(d, 'vectors.f32'), original);
    const lines = (await readFile(join(d, 'documents.jsonl'), 'utf8')).replace('"htn"', '"htX"');
    await writeFile(join(d, 'documents.jsonl'), lines);
    await expect(loadVectorStore(d, e)).rejects.toThrow(/documents\.jsonl: checksum mismatch/);
    await writeFile(join(d, 'manifest.json'), '{"format":"quarkmed-vector-store","version":1,');
    await expect(loadVectorStore(d, e)).rejects.toThrow(/manifest\.json: is not valid JSON/);
    await rm(join(d, 'manifest.json'));
    await expect(loadVectorStore(d, e)).rejects.toThrow(/manifest\.json: is missing/);
    await expect(loadVectorStore(d, new HashEmbedder(16))).rejects.toThrow(IndexCorruptError);
  });
});
