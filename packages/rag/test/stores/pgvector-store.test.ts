import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DimensionMismatchError, EmptyDocumentError, RagError, type Document } from '../../src/index';
import { DatabaseConnectionError, PgVectorStore } from '../../src/node/index';
import { bruteForceTopK, HashEmbedder, MEDICAL_DOCS } from './hash-embedder';

/** A free localhost port (bound then released). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let db: PGlite;
let server: PGLiteSocketServer;
let url: string;
const embedder = new HashEmbedder(32);
const docs = (): Document[] => MEDICAL_DOCS.map((d) => ({ pageContent: d.text, metadata: { id: d.id, language: d.lang, authority: d.authority as 'A', rank: d.id.length } }));

beforeAll(async () => {
  db = await PGlite.create({ extensions: { vector } });
  const port = await freePort();
  server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 4 });
  await server.start();
  url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
});
afterAll(async () => {
  await server?.stop();
  await db?.close();
});

describe('PgVectorStore over the Postgres wire protocol (PGlite + pgvector)', () => {
  it('creates the schema with an HNSW index, upserts in batches and searches like brute force', async () => {
    const store = await PgVectorStore.initialize(embedder, { connectionString: url, table: 'med_chunks', batchSize: 4, poolConfig: { max: 2 } });
    try {
      expect(await store.indexNames()).toEqual(expect.arrayContaining(['med_chunks_embedding_hnsw', 'med_chunks_metadata_gin', 'med_chunks_pkey']));
      expect(await store.addDocuments(docs())).toEqual(MEDICAL_DOCS.map((d) => d.id));
      expect(await store.count()).toBe(MEDICAL_DOCS.length);
      const rows = MEDICAL_DOCS.map((d) => ({ id: d.id, v: embedder.embedOne(d.text) }));
      for (const q of ['first-line drug for type 2 diabetes', 'treatment of high blood pressure', '哮喘的首选药物']) {
        const got = await store.similaritySearchWithScore(q, 3);
        const want = bruteForceTopK(embedder.embedOne(q), rows, 3);
        expect(got.map(([d]) => d.metadata.id)).toEqual(want.map((w) => w.id));
        got.forEach(([, s], i) => expect(s).toBeCloseTo(want[i]!.score, 4));
      }
      const [top] = await store.similaritySearch('metformin type 2 diabetes', 1);
      expect(top).toEqual({ pageContent: MEDICAL_DOCS[1]!.text, metadata: { id: 'dm2', language: 'en', authority: 'A', rank: 3 } });
      // parallel queries share the pool
      const many = await Promise.all(['asthma', 'pneumonia', 'reflux', 'infarction'].map((q) => store.similaritySearch(q, 2)));
      expect(many.every((m) => m.length === 2)).toBe(true);
    } finally {
      await store.end();
    }
  });

  it('filters in SQL on jsonb metadata (value, list, number) and replaces / deletes by id', async () => {
    const store = await PgVectorStore.initialize(embedder, { connectionString: url, table: 'med_chunks' });
    try {
      const zh = await store.similaritySearch('drug', 10, { language: 'zh' });
      expect(zh.map((d) => d.metadata.id).sort()).toEqual(['zh-gxy', 'zh-tnb', 'zh-xc']);
      const ab = await store.similaritySearch('treatment', 10, { language: 'en', authority: ['A', 'B'] });
      expect(ab.map((d) => d.metadata.id).sort()).toEqual(['asthma', 'cap', 'dm2', 'htn']);
      expect((await store.similaritySearch('treatment', 10, { rank: 3 })).map((d) => d.metadata.id).sort()).toEqual(['cap', 'dm2', 'htn']);
      await expect(store.similaritySearch('x', 3, { language: [] })).rejects.toThrow(RagError);
      await store.addDocuments([{ pageContent: 'Insulin is added when metformin fails.', metadata: { id: 'dm2', language: 'en' } }]);
      expect(await store.count()).toBe(MEDICAL_DOCS.length);
      expect((await store.similaritySearch('insulin metformin', 1))[0]!.pageContent).toMatch(/^Insulin/);
      await store.delete({ ids: ['dm2', 'htn', 'absent'] });
      expect(await store.count()).toBe(MEDICAL_DOCS.length - 2);
      const all = (await store.similaritySearch('metformin hypertension', 20)).map((d) => d.metadata.id);
      expect(all).not.toContain('dm2');
      expect(all).not.toContain('htn');
      // the same rows through a plain pg client: gone from the table (and so from its indexes)
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const r = await client.query("SELECT count(*)::int AS n FROM med_chunks WHERE id IN ('dm2', 'htn')");
      await client.end();
      expect(r.rows[0].n).toBe(0);
    } finally {
      await store.end();
    }
  });

  it('refuses bad input with typed errors and writes nothing', async () => {
    const store = await PgVectorStore.initialize(embedder, { connectionString: url, table: 'med_chunks' });
    try {
      const n = await store.count();
      await expect(store.addDocuments([{ pageContent: 'ok text', metadata: { id: 'n1' } }, { pageContent: '', metadata: { id: 'n2' } }])).rejects.toThrow(EmptyDocumentError);
      await expect(store.addVectors([new Float32Array(32), new Float32Array(8)], [{ pageContent: 'a', metadata: { id: 'n1' } }, { pageContent: 'b', metadata: { id: 'n2' } }])).rejects.toThrow(DimensionMismatchError);
      await expect(store.addDocuments([{ pageContent: 'no id here', metadata: {} }])).rejects.toThrow(/metadata\.id/);
      await expect(store.similaritySearchVectorWithScore(new Float32Array(3), 2)).rejects.toThrow(DimensionMismatchError);
      // a batch that would replace a stored row and then fails leaves that row as it was
      const asthma = (await store.similaritySearch('inhaled corticosteroids asthma', 1))[0]!;
      expect(asthma.metadata.id).toBe('asthma');
      await expect(store.addVectors([new Float32Array(32).fill(0.1), new Float32Array(8)], [{ pageContent: 'replaced', metadata: { id: 'asthma' } }, { pageContent: 'b', metadata: { id: 'n2' } }])).rejects.toThrow(DimensionMismatchError);
      await expect(store.addDocuments([{ pageContent: 'replaced', metadata: { id: 'asthma' } }, { pageContent: ' ', metadata: { id: 'n2' } }])).rejects.toThrow(EmptyDocumentError);
      expect((await store.similaritySearch('inhaled corticosteroids asthma', 1))[0]).toEqual(asthma);
      expect(await store.count()).toBe(n);
      // a table created for another dimension
      await expect(PgVectorStore.initialize(new HashEmbedder(16), { connectionString: url, table: 'med_chunks' })).rejects.toThrow(DimensionMismatchError);
      await expect(PgVectorStore.initialize(embedder, { connectionString: url, table: 'bad; drop table x' })).rejects.toThrow(/options\.table/);
    } finally {
      await store.end();
    }
  });

  it('reports an unreachable database as DatabaseConnectionError', async () => {
    const port = await freePort();
    const err = await PgVectorStore.initialize(embedder, { connectionString: `postgres://u:secret@127.0.0.1:${port}/med`, connectionTimeoutMillis: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseConnectionError);
    expect((err as DatabaseConnectionError).target).toBe(`127.0.0.1:${port}/med`);
    expect((err as Error).message).not.toContain('secret');
  });
});
