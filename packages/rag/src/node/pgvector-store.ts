/**
 * A {@link VectorStore} in PostgreSQL with the pgvector extension, through `pg` (an optional peer dependency, loaded
 * only when a store creates its own pool): schema creation, batched upserts in one transaction, an HNSW index,
 * metadata filters in SQL over a `jsonb` column (GIN-indexed), connection pooling.
 *
 * @packageDocumentation
 */
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { DimensionMismatchError, EmptyDocumentError, VectorStoreError } from '../stores/errors';
import { checkFilter } from '../retrieve/metadata-filter';
import type { Document, DocumentMetadata, Embedder, MetadataFilter, Retriever, VectorStore } from '../types';
import { DatabaseConnectionError, DatabaseQueryError } from './pg-errors';

/** Distance of the HNSW index and of the scores: cosine (score = 1 − cosine distance), inner product, or L2 (score = −distance). */
export type PgMetric = 'cosine' | 'ip' | 'l2';

/** Options of {@link PgVectorStore.initialize}. */
export interface PgVectorStoreOptions {
  /** An existing pool (the store does not end it). */
  pool?: Pool;
  /** Otherwise a connection string (`postgres://user:pass@host:5432/db`) … */
  connectionString?: string;
  /** … and/or `pg` pool settings (`max`, `host`, `ssl`, ...). */
  poolConfig?: PoolConfig;
  /** Table name (default `rag_documents`), an unquoted SQL identifier. */
  table?: string;
  /** Schema (default `public`). */
  schema?: string;
  /** Default `cosine`. */
  metric?: PgMetric;
  /** HNSW parameters (`m` 16, `efConstruction` 64, `efSearch` 40 by default), or false for no index (exact scan). */
  hnsw?: { m?: number; efConstruction?: number; efSearch?: number } | false;
  /** Rows per INSERT statement in upserts (default 200). */
  batchSize?: number;
  /** Create the extension, table and indexes when missing (default true). */
  createSchema?: boolean;
  /** Connection timeout in ms for a pool the store creates (default 5 000). */
  connectionTimeoutMillis?: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const OPS: Record<PgMetric, { op: string; ops: string; score: (d: string) => string }> = {
  cosine: { op: '<=>', ops: 'vector_cosine_ops', score: (d) => `1 - (${d})` },
  ip: { op: '<#>', ops: 'vector_ip_ops', score: (d) => `-(${d})` },
  l2: { op: '<->', ops: 'vector_l2_ops', score: (d) => `-(${d})` },
};
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN', '28P01', '28000', '3D000', '57P03']);

function vectorLiteral(v: Float32Array): string {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + String(v[i]);
  return `${s}]`;
}

function describeTarget(options: PgVectorStoreOptions): string {
  const c = options.poolConfig ?? {};
  if (options.connectionString) {
    try {
      const u = new URL(options.connectionString);
      return `${u.hostname}:${u.port || 5432}${u.pathname}`;
    } catch {
      return 'postgres (connection string)';
    }
  }
  return `${c.host ?? process.env.PGHOST ?? 'localhost'}:${c.port ?? process.env.PGPORT ?? 5432}/${c.database ?? process.env.PGDATABASE ?? ''}`;
}

/**
 * PostgreSQL + pgvector store. Create it with {@link PgVectorStore.initialize}; `end()` closes a pool it created.
 *
 * @example
 * ```ts
 * import { PgVectorStore } from '@quarkmed/rag/node';
 * const store = await PgVectorStore.initialize(embedder, { connectionString: process.env.DATABASE_URL, table: 'med_chunks' });
 * await store.addDocuments(chunks);
 * const hits = await store.similaritySearch('first-line therapy for hypertension', 5, { language: 'en', authority: ['A', 'B'] });
 * await store.end();
 * ```
 */
export class PgVectorStore<M extends DocumentMetadata = DocumentMetadata> implements VectorStore<M> {
  readonly dimension: number;
  readonly metric: PgMetric;
  /** `"schema"."table"`. */
  readonly qualifiedTable: string;
  private readonly tableName: string;
  private readonly schemaName: string;
  private readonly hnsw: { m: number; efConstruction: number; efSearch: number } | false;
  private readonly batchSize: number;
  private readonly ownsPool: boolean;
  private readonly target: string;

  private constructor(
    readonly embedder: Embedder,
    readonly pool: Pool,
    options: PgVectorStoreOptions,
    ownsPool: boolean,
  ) {
    this.dimension = embedder.dimension;
    this.metric = options.metric ?? 'cosine';
    this.tableName = options.table ?? 'rag_documents';
    this.schemaName = options.schema ?? 'public';
    this.qualifiedTable = `"${this.schemaName}"."${this.tableName}"`;
    this.hnsw = options.hnsw === false ? false : { m: options.hnsw?.m ?? 16, efConstruction: options.hnsw?.efConstruction ?? 64, efSearch: options.hnsw?.efSearch ?? 40 };
    this.batchSize = options.batchSize ?? 200;
    this.ownsPool = ownsPool;
    this.target = describeTarget(options);
  }

  /**
   * Connects (checking the database answers), creates the schema unless `createSchema: false`, and checks that an
   * existing table's vector dimension is the embedder's.
   *
   * @throws {@link index.VectorStoreError | VectorStoreError} for bad options; {@link DatabaseConnectionError} when the database cannot be
   *   reached; {@link index.DimensionMismatchError | DimensionMismatchError} for a table of another dimension; {@link DatabaseQueryError} for a
   *   failing statement (e.g. the `vector` extension is not available)
   */
  static async initialize<M extends DocumentMetadata = DocumentMetadata>(embedder: Embedder, options: PgVectorStoreOptions = {}): Promise<PgVectorStore<M>> {
    if (!embedder || !Number.isInteger(embedder.dimension) || embedder.dimension < 1 || embedder.dimension > 16000) {
      throw new VectorStoreError('embedder.dimension', `must be an integer in [1, 16000], got ${String(embedder?.dimension)}`);
    }
    for (const k of ['table', 'schema'] as const) {
      const v = options[k];
      if (v !== undefined && (typeof v !== 'string' || !IDENT.test(v))) throw new VectorStoreError(`options.${k}`, `must be an SQL identifier ([A-Za-z_][A-Za-z0-9_]*), got ${JSON.stringify(v)}`);
    }
    if (options.metric !== undefined && !(options.metric in OPS)) throw new VectorStoreError('options.metric', `must be "cosine", "ip" or "l2", got ${JSON.stringify(options.metric)}`);
    if (options.batchSize !== undefined && (!Number.isInteger(options.batchSize) || options.batchSize < 1)) throw new VectorStoreError('options.batchSize', `must be an integer >= 1, got ${String(options.batchSize)}`);
    if (options.hnsw) {
      for (const k of ['m', 'efConstruction', 'efSearch'] as const) {
        const v = options.hnsw[k];
        if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 1000)) throw new VectorStoreError(`options.hnsw.${k}`, `must be an integer in [1, 1000], got ${String(v)}`);
      }
    }
    let pool = options.pool;
    const owns = pool === undefined;
    if (!pool) {
      let PoolCtor: typeof import('pg').Pool;
      try {
        const mod = await import('pg');
        PoolCtor = (mod as { default?: { Pool?: typeof import('pg').Pool } }).default?.Pool ?? mod.Pool;
      } catch (error) {
        throw new VectorStoreError('pg', 'the optional peer dependency `pg` is not installed (npm install pg)', { cause: error });
      }
      pool = new PoolCtor({ connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5000, ...options.poolConfig, ...(options.connectionString ? { connectionString: options.connectionString } : {}) });
      pool.on('error', () => {
        // Idle clients that lose their connection are dropped by the pool; queries report the failure.
      });
    }
    const store = new PgVectorStore<M>(embedder, pool, options, owns);
    try {
      const client = await store.connect();
      client.release();
      if (options.createSchema ?? true) await store.ensureSchema();
      await store.checkDimension();
    } catch (error) {
      if (owns) await pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      const e = error as { code?: string; message?: string };
      throw new DatabaseConnectionError(this.target, `${e.message ?? String(error)}${e.code ? ` (${e.code})` : ''}`, { cause: error });
    }
  }

  private async run<T>(operation: string, body: (client: PoolClient) => Promise<T>, transaction = false): Promise<T> {
    const client = await this.connect();
    try {
      if (transaction) await client.query('BEGIN');
      const out = await body(client);
      if (transaction) await client.query('COMMIT');
      return out;
    } catch (error) {
      if (transaction) await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof DatabaseQueryError || error instanceof VectorStoreError) throw error;
      const e = error as { code?: string; message?: string };
      if (e.code && CONNECTION_CODES.has(e.code)) throw new DatabaseConnectionError(this.target, `${e.message ?? ''} (${e.code})`, { cause: error });
      throw new DatabaseQueryError(`${this.qualifiedTable} ${operation}`, e.message ?? String(error), e.code, { cause: error });
    } finally {
      client.release();
    }
  }

  /** Creates the `vector` extension, the table, the HNSW index and a GIN index on the metadata when missing. */
  async ensureSchema(): Promise<void> {
    const t = this.qualifiedTable;
    const base = `${this.tableName}`;
    await this.run('create schema', async (c) => {
      await c.query('CREATE EXTENSION IF NOT EXISTS vector');
      if (this.schemaName !== 'public') await c.query(`CREATE SCHEMA IF NOT EXISTS "${this.schemaName}"`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${t} (id text PRIMARY KEY, content text NOT NULL, metadata jsonb NOT NULL DEFAULT '{}'::jsonb, embedding vector(${this.dimension}) NOT NULL)`);
      await c.query(`CREATE INDEX IF NOT EXISTS "${base}_metadata_gin" ON ${t} USING gin (metadata jsonb_path_ops)`);
      if (this.hnsw) {
        await c.query(`CREATE INDEX IF NOT EXISTS "${base}_embedding_hnsw" ON ${t} USING hnsw (embedding ${OPS[this.metric].ops}) WITH (m = ${this.hnsw.m}, ef_construction = ${this.hnsw.efConstruction})`);
      }
    });
  }

  private async checkDimension(): Promise<void> {
    const rows = await this.run('check dimension', async (c) =>
      (
        await c.query<{ typmod: number }>(
          `SELECT a.atttypmod AS typmod FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = $1 AND r.relname = $2 AND a.attname = 'embedding' AND NOT a.attisdropped`,
          [this.schemaName, this.tableName],
        )
      ).rows,
    );
    if (rows.length === 0) throw new DatabaseQueryError(`${this.qualifiedTable} check dimension`, 'the table (or its embedding column) does not exist; initialize with createSchema: true', undefined);
    const dim = rows[0]!.typmod;
    if (dim !== this.dimension) throw new DimensionMismatchError(`${this.qualifiedTable}.embedding`, this.dimension, dim);
  }

  /** The names of the table's indexes (to check the HNSW index is there). */
  async indexNames(): Promise<string[]> {
    return this.run('list indexes', async (c) => (await c.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname', [this.schemaName, this.tableName])).rows.map((r) => r.indexname));
  }

  /** Number of rows. */
  async count(): Promise<number> {
    return this.run('count', async (c) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.qualifiedTable}`)).rows[0]!.n));
  }

  /**
   * Embeds and upserts documents (by id: `options.ids`, else `metadata.id`; both required here, since ids must be
   * stable across processes).
   *
   * @throws {@link index.EmptyDocumentError | EmptyDocumentError}, {@link index.VectorStoreError | VectorStoreError}, {@link index.DimensionMismatchError | DimensionMismatchError} before anything is
   *   written; database errors roll the whole call back
   */
  async addDocuments(documents: readonly Document<M>[], options: { ids?: readonly string[] } = {}): Promise<string[]> {
    const ids = this.resolveIds(documents, options.ids);
    if (documents.length === 0) return [];
    const vectors = await this.embedder.embedDocuments(documents.map((d) => d.pageContent));
    return this.upsert(documents, vectors, ids);
  }

  /** Upserts documents with precomputed vectors. @throws as {@link PgVectorStore.addDocuments} */
  async addVectors(vectors: readonly Float32Array[], documents: readonly Document<M>[], options: { ids?: readonly string[] } = {}): Promise<string[]> {
    if (!Array.isArray(vectors) || vectors.length !== documents.length) throw new VectorStoreError('vectors', `expected ${documents.length} vectors (one per document)`);
    return this.upsert(documents, vectors, this.resolveIds(documents, options.ids));
  }

  private resolveIds(documents: readonly Document<M>[], given: readonly string[] | undefined): string[] {
    if (!Array.isArray(documents)) throw new VectorStoreError('documents', 'must be an array of documents');
    if (given !== undefined && (!Array.isArray(given) || given.length !== documents.length)) throw new VectorStoreError('options.ids', `must list one id per document (${documents.length})`);
    const seen = new Set<string>();
    return documents.map((d, i) => {
      if (d === null || typeof d !== 'object' || typeof d.pageContent !== 'string') throw new VectorStoreError(`documents[${i}].pageContent`, 'must be a string');
      if (d.pageContent.trim().length === 0) throw new EmptyDocumentError(`documents[${i}].pageContent`);
      const id = given?.[i] ?? d.metadata?.id;
      if (typeof id !== 'string' || id.length === 0) throw new VectorStoreError(given ? `options.ids[${i}]` : `documents[${i}].metadata.id`, 'must be a non-empty string (the PostgreSQL store needs stable ids)');
      if (seen.has(id)) throw new VectorStoreError(`documents[${i}]`, `id ${JSON.stringify(id)} appears twice in one call`);
      seen.add(id);
      return id;
    });
  }

  private checkVector(v: Float32Array, field: string): void {
    if (!(v instanceof Float32Array) && !Array.isArray(v)) throw new VectorStoreError(field, 'must be a Float32Array');
    if (v.length !== this.dimension) throw new DimensionMismatchError(field, this.dimension, v.length);
    for (let j = 0; j < v.length; j++) if (!Number.isFinite(v[j])) throw new VectorStoreError(`${field}[${j}]`, `is not finite (${String(v[j])})`);
  }

  private async upsert(documents: readonly Document<M>[], vectors: readonly Float32Array[], ids: string[]): Promise<string[]> {
    vectors.forEach((v, i) => this.checkVector(v, `vectors[${i}]`));
    await this.run(
      'upsert',
      async (c) => {
        for (let s = 0; s < ids.length; s += this.batchSize) {
          const params: unknown[] = [];
          const rows: string[] = [];
          for (let i = s; i < Math.min(ids.length, s + this.batchSize); i++) {
            const p = params.length;
            rows.push(`($${p + 1}, $${p + 2}, $${p + 3}::jsonb, $${p + 4}::vector)`);
            params.push(ids[i], documents[i]!.pageContent, JSON.stringify({ ...(documents[i]!.metadata ?? {}), id: ids[i] }), vectorLiteral(vectors[i]!));
          }
          await c.query(
            `INSERT INTO ${this.qualifiedTable} (id, content, metadata, embedding) VALUES ${rows.join(', ')} ON CONFLICT (id) DO UPDATE SET content = EXCLUDED.content, metadata = EXCLUDED.metadata, embedding = EXCLUDED.embedding`,
            params,
          );
        }
      },
      true,
    );
    return ids;
  }

  /** Deletes rows by id (ids not present are ignored). @throws {@link index.VectorStoreError | VectorStoreError} for ids that are not strings */
  async delete(options: { ids: readonly string[] }): Promise<void> {
    const ids = options?.ids;
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw new VectorStoreError('options.ids', 'must be an array of string ids');
    if (ids.length === 0) return;
    await this.run('delete', (c) => c.query(`DELETE FROM ${this.qualifiedTable} WHERE id = ANY($1::text[])`, [ids]));
  }

  async similaritySearch(query: string, k = 4, filter?: MetadataFilter): Promise<Document<M>[]> {
    return (await this.similaritySearchWithScore(query, k, filter)).map(([d]) => d);
  }

  async similaritySearchWithScore(query: string, k = 4, filter?: MetadataFilter): Promise<[Document<M>, number][]> {
    if (typeof query !== 'string' || query.trim().length === 0) throw new VectorStoreError('query', 'is empty');
    this.checkSearch(k, filter);
    return this.similaritySearchVectorWithScore(await this.embedder.embedQuery(query), k, filter);
  }

  private checkSearch(k: number, filter: MetadataFilter | undefined): void {
    if (!Number.isInteger(k) || k < 1) throw new VectorStoreError('k', `must be an integer >= 1, got ${String(k)}`);
    checkFilter('filter', filter);
  }

  /**
   * Nearest rows to a vector (through the HNSW index when there is one), filtered in SQL: a scalar filter value is a
   * `metadata @> {"key": value}` containment (GIN-indexed), a list is `key` equal to one of the values.
   *
   * @throws {@link index.DimensionMismatchError | DimensionMismatchError}, {@link index.VectorStoreError | VectorStoreError}, `RagArgumentError`, database errors
   */
  async similaritySearchVectorWithScore(query: Float32Array, k: number, filter?: MetadataFilter): Promise<[Document<M>, number][]> {
    this.checkSearch(k, filter);
    this.checkVector(query, 'query');
    const params: unknown[] = [vectorLiteral(query)];
    const where: string[] = [];
    const scalars: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(filter ?? {})) {
      if (Array.isArray(value)) {
        params.push(key, JSON.stringify(value));
        where.push(`(jsonb_typeof(metadata -> $${params.length - 1}) <> 'array' AND $${params.length}::jsonb @> (metadata -> $${params.length - 1}))`);
      } else scalars[key] = value;
    }
    if (Object.keys(scalars).length) {
      params.push(JSON.stringify(scalars));
      where.push(`metadata @> $${params.length}::jsonb`);
    }
    params.push(k);
    const { op, score } = OPS[this.metric];
    const dist = `embedding ${op} $1::vector`;
    const sql = `SELECT id, content, metadata, ${score(dist)} AS score FROM ${this.qualifiedTable} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${dist}, id LIMIT $${params.length}`;
    const rows = await this.run(
      'search',
      async (c) => {
        if (this.hnsw) await c.query(`SET LOCAL hnsw.ef_search = ${Math.max(this.hnsw.efSearch, Math.min(1000, k))}`);
        return (await c.query<{ id: string; content: string; metadata: M; score: number }>(sql, params)).rows;
      },
      true,
    );
    return rows.map((r) => [{ pageContent: r.content, metadata: r.metadata }, Number(r.score)]);
  }

  /** A {@link Retriever} over this store. */
  asRetriever(options: { k?: number; filter?: MetadataFilter } = {}): Retriever<M> {
    const k = options.k ?? 4;
    this.checkSearch(k, options.filter);
    return { invoke: (query: string) => this.similaritySearch(query, k, options.filter) };
  }

  /** Drops the table (for tests and re-indexing). */
  async dropTable(): Promise<void> {
    await this.run('drop', (c) => c.query(`DROP TABLE IF EXISTS ${this.qualifiedTable}`));
  }

  /** Closes the pool when the store created it. */
  async end(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
