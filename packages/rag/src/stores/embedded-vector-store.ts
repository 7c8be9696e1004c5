/**
 * The embedded default store: documents and their vectors in process, exact top-k as one matrix product on the
 * active TensorFlow.js backend (wasm, WebGPU, native), persisted to a single `ArrayBuffer` (browser) or a
 * directory (`saveVectorStore` in `@quarkmed/rag/node`) and reloaded identically.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Document, DocumentMetadata, Embedder, MetadataFilter, Retriever, VectorStore } from '../types';
import { DimensionMismatchError, EmptyDocumentError, IndexCorruptError, VectorStoreError } from './errors';
import { checkFilter, matchesFilter } from '../retrieve/metadata-filter';
import { decodeStore, encodeStore, packStore, unpackStore, type StoreContent, type StoreMetric, type StoreParts } from './store-format';

/** Options of {@link EmbeddedVectorStore}. */
export interface EmbeddedVectorStoreOptions {
  /**
   * `cosine` (default): vectors and queries are scaled to unit norm, scores are cosine similarities; `ip`: raw inner
   * products (for embedders whose norm carries meaning).
   */
  metric?: StoreMetric;
}

/** Options of {@link EmbeddedVectorStore.fromUrl}. */
export interface FromUrlOptions extends EmbeddedVectorStoreOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

function checkK(k: unknown): number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) throw new VectorStoreError('k', `must be an integer >= 1, got ${String(k)}`);
  return k;
}

function normalizeInto(v: Float32Array, out: Float32Array, offset: number): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) out[offset + i] = v[i]! * inv;
}

/** The next free `doc-<n>` number after `ids` (at least `from`). */
function nextGeneratedId(ids: readonly string[], from: number): number {
  let next = from;
  for (const id of ids) if (/^doc-\d+$/.test(id)) next = Math.max(next, Number(id.slice(4)) + 1);
  return next;
}

/**
 * An in-process {@link VectorStore} with exact search.
 *
 * Adds replace documents with the same id (`metadata.id`, else `options.ids`, else a generated `doc-<n>`). Every
 * mutation validates all of its input (text, dimension, finiteness, ids) before changing anything, so a bad call
 * leaves the store intact.
 *
 * @example
 * ```ts
 * const store = new EmbeddedVectorStore(embedder);
 * await store.addDocuments([{ pageContent: 'Metformin is first-line for type 2 diabetes.', metadata: { id: 'a', authority: 'A' } }]);
 * const hits = await store.similaritySearchWithScore('diabetes drug', 5, { authority: ['A', 'B'] });
 * const bytes = store.toArrayBuffer(); // later: EmbeddedVectorStore.fromArrayBuffer(bytes, embedder)
 * ```
 */
export class EmbeddedVectorStore<M extends DocumentMetadata = DocumentMetadata> implements VectorStore<M> {
  readonly dimension: number;
  readonly metric: StoreMetric;
  private ids: string[] = [];
  private docs: Document<M>[] = [];
  private rowOf = new Map<string, number>();
  private vectors: Float32Array;
  private matrix: tf.Tensor2D | undefined;
  private nextId = 0;

  /**
   * @param embedder - embeds documents and queries; its `dimension` is the store's
   * @param options - see {@link EmbeddedVectorStoreOptions}
   * @throws {@link VectorStoreError} for a bad embedder or metric
   */
  constructor(
    readonly embedder: Embedder,
    options: EmbeddedVectorStoreOptions = {},
  ) {
    if (!embedder || !Number.isInteger(embedder.dimension) || embedder.dimension < 1) throw new VectorStoreError('embedder.dimension', `must be an integer >= 1, got ${String(embedder?.dimension)}`);
    const metric = options.metric ?? 'cosine';
    if (metric !== 'cosine' && metric !== 'ip') throw new VectorStoreError('options.metric', `must be "cosine" or "ip", got ${JSON.stringify(metric)}`);
    this.dimension = embedder.dimension;
    this.metric = metric;
    this.vectors = new Float32Array(0);
  }

  /** Number of documents. */
  get size(): number {
    return this.ids.length;
  }

  /** Whether a document with this id is stored. */
  has(id: string): boolean {
    return this.rowOf.has(id);
  }

  /** The stored document with this id (a copy), if any. */
  getDocument(id: string): Document<M> | undefined {
    const r = this.rowOf.get(id);
    return r === undefined ? undefined : this.copy(r);
  }

  /** The stored vector of this id (a copy), if any. */
  getVector(id: string): Float32Array | undefined {
    const r = this.rowOf.get(id);
    return r === undefined ? undefined : this.vectors.slice(r * this.dimension, (r + 1) * this.dimension);
  }

  /** Ids in row order. */
  listIds(): string[] {
    return [...this.ids];
  }

  /**
   * Embeds and adds documents (replacing stored ones with the same id).
   *
   * @throws {@link EmptyDocumentError} for an empty `pageContent` (naming its index), {@link VectorStoreError} for bad ids,
   *   {@link DimensionMismatchError} when the embedder returns vectors of another size; the store is unchanged
   */
  async addDocuments(documents: readonly Document<M>[], options: { ids?: readonly string[] } = {}): Promise<string[]> {
    const ids = this.resolveIds(documents, options.ids);
    if (documents.length === 0) return [];
    const vectors = await this.embedder.embedDocuments(documents.map((d) => d.pageContent));
    if (!Array.isArray(vectors) || vectors.length !== documents.length) {
      throw new VectorStoreError('embedder.embedDocuments', `returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${documents.length} documents`);
    }
    return this.commit(documents, vectors, ids);
  }

  /**
   * Adds documents with precomputed vectors (replacing stored ones with the same id).
   *
   * @throws as {@link EmbeddedVectorStore.addDocuments}, plus {@link DimensionMismatchError} naming the vector
   */
  async addVectors(vectors: readonly Float32Array[], documents: readonly Document<M>[], options: { ids?: readonly string[] } = {}): Promise<string[]> {
    if (!Array.isArray(vectors) || vectors.length !== documents.length) throw new VectorStoreError('vectors', `expected ${documents.length} vectors (one per document), got ${Array.isArray(vectors) ? vectors.length : typeof vectors}`);
    const ids = this.resolveIds(documents, options.ids);
    return Promise.resolve(this.commit(documents, vectors, ids));
  }

  private resolveIds(documents: readonly Document<M>[], given: readonly string[] | undefined): string[] {
    if (!Array.isArray(documents)) throw new VectorStoreError('documents', 'must be an array of documents');
    if (given !== undefined && (!Array.isArray(given) || given.length !== documents.length)) throw new VectorStoreError('options.ids', `must list one id per document (${documents.length})`);
    const seen = new Set<string>();
    let next = this.nextId;
    return documents.map((d, i) => {
      if (d === null || typeof d !== 'object') throw new VectorStoreError(`documents[${i}]`, 'must be a document { pageContent, metadata }');
      if (typeof d.pageContent !== 'string') throw new VectorStoreError(`documents[${i}].pageContent`, `must be a string, got ${typeof d.pageContent}`);
      if (d.pageContent.trim().length === 0) throw new EmptyDocumentError(`documents[${i}].pageContent`);
      if (d.metadata !== undefined && (d.metadata === null || typeof d.metadata !== 'object' || Array.isArray(d.metadata))) throw new VectorStoreError(`documents[${i}].metadata`, 'must be an object');
      const raw = given?.[i] ?? d.metadata?.id;
      let id: string;
      if (raw === undefined) {
        do id = `doc-${next++}`;
        while (this.rowOf.has(id) || seen.has(id));
      } else {
        if (typeof raw !== 'string' || raw.length === 0) throw new VectorStoreError(given ? `options.ids[${i}]` : `documents[${i}].metadata.id`, `must be a non-empty string, got ${JSON.stringify(raw)}`);
        id = raw;
      }
      if (seen.has(id)) throw new VectorStoreError(`documents[${i}]`, `id ${JSON.stringify(id)} appears twice in one call`);
      seen.add(id);
      return id;
    });
  }

  private commit(documents: readonly Document<M>[], vectors: readonly Float32Array[], ids: string[]): string[] {
    vectors.forEach((v, i) => {
      if (!(v instanceof Float32Array) && !Array.isArray(v)) throw new VectorStoreError(`vectors[${i}]`, 'must be a Float32Array');
      if (v.length !== this.dimension) throw new DimensionMismatchError(`vectors[${i}]`, this.dimension, v.length);
      for (let j = 0; j < v.length; j++) if (!Number.isFinite(v[j])) throw new VectorStoreError(`vectors[${i}][${j}]`, `is not finite (${String(v[j])})`);
    });
    const fresh = ids.filter((id) => !this.rowOf.has(id)).length;
    const need = (this.ids.length + fresh) * this.dimension;
    if (need > this.vectors.length) {
      const grown = new Float32Array(Math.max(need, this.vectors.length * 2));
      grown.set(this.vectors);
      this.vectors = grown;
    }
    ids.forEach((id, i) => {
      let r = this.rowOf.get(id);
      if (r === undefined) {
        r = this.ids.length;
        this.ids.push(id);
        this.rowOf.set(id, r);
        this.docs.push(undefined as unknown as Document<M>);
      }
      const d = documents[i]!;
      this.docs[r] = { pageContent: d.pageContent, metadata: { ...structuredClone(d.metadata ?? ({} as M)), id } };
      const v = Float32Array.from(vectors[i]!);
      if (this.metric === 'cosine') normalizeInto(v, this.vectors, r * this.dimension);
      else this.vectors.set(v, r * this.dimension);
    });
    this.nextId = nextGeneratedId(ids, this.nextId);
    this.invalidate();
    return ids;
  }

  /**
   * Removes documents by id; ids not in the store are ignored.
   *
   * @throws {@link VectorStoreError} when `ids` is not an array of strings (nothing is removed)
   */
  async delete(options: { ids: readonly string[] }): Promise<void> {
    const ids = options?.ids;
    if (!Array.isArray(ids)) throw new VectorStoreError('options.ids', 'must be an array of ids');
    ids.forEach((id, i) => {
      if (typeof id !== 'string') throw new VectorStoreError(`options.ids[${i}]`, `must be a string, got ${typeof id}`);
    });
    const drop = new Set(ids.filter((id) => this.rowOf.has(id)));
    if (drop.size === 0) return Promise.resolve();
    const d = this.dimension;
    const keptIds: string[] = [];
    const keptDocs: Document<M>[] = [];
    let w = 0;
    this.ids.forEach((id, r) => {
      if (drop.has(id)) return;
      if (w !== r) this.vectors.copyWithin(w * d, r * d, (r + 1) * d);
      keptIds.push(id);
      keptDocs.push(this.docs[r]!);
      w++;
    });
    this.vectors.fill(0, w * d);
    this.ids = keptIds;
    this.docs = keptDocs;
    this.rowOf = new Map(keptIds.map((id, r) => [id, r]));
    this.invalidate();
    return Promise.resolve();
  }

  /** The `k` nearest documents to the query text. */
  async similaritySearch(query: string, k = 4, filter?: MetadataFilter): Promise<Document<M>[]> {
    return (await this.similaritySearchWithScore(query, k, filter)).map(([doc]) => doc);
  }

  /**
   * The `k` nearest documents to the query text, with their scores (cosine similarity by default), best first.
   *
   * @throws {@link VectorStoreError} for an empty query or a bad `k`; `RagArgumentError` for a bad filter
   */
  async similaritySearchWithScore(query: string, k = 4, filter?: MetadataFilter): Promise<[Document<M>, number][]> {
    if (typeof query !== 'string' || query.trim().length === 0) throw new VectorStoreError('query', 'is empty');
    checkK(k);
    checkFilter('filter', filter);
    return this.similaritySearchVectorWithScore(await this.embedder.embedQuery(query), k, filter);
  }

  /**
   * The `k` nearest documents to a query vector, with scores, best first (ties: earlier rows first).
   *
   * @throws {@link DimensionMismatchError} for a query of another size; {@link VectorStoreError} for a bad `k` or a
   *   non-finite query; `RagArgumentError` for a bad filter
   */
  async similaritySearchVectorWithScore(query: Float32Array, k: number, filter?: MetadataFilter): Promise<[Document<M>, number][]> {
    return (await this.similaritySearchVectorsWithScore([query], k, filter))[0]!;
  }

  /**
   * Batched {@link EmbeddedVectorStore.similaritySearchVectorWithScore}: one `[N, D] × [D, Q]` product for all the
   * queries.
   */
  async similaritySearchVectorsWithScore(queries: readonly Float32Array[], k: number, filter?: MetadataFilter): Promise<[Document<M>, number][][]> {
    checkK(k);
    checkFilter('filter', filter);
    if (!Array.isArray(queries)) throw new VectorStoreError('queries', 'must be an array of vectors');
    const q = new Float32Array(queries.length * this.dimension);
    queries.forEach((v, i) => {
      const field = queries.length === 1 ? 'query' : `queries[${i}]`;
      if (!(v instanceof Float32Array) && !Array.isArray(v)) throw new VectorStoreError(field, 'must be a Float32Array');
      if (v.length !== this.dimension) throw new DimensionMismatchError(field, this.dimension, v.length);
      for (let j = 0; j < v.length; j++) if (!Number.isFinite(v[j])) throw new VectorStoreError(`${field}[${j}]`, `is not finite (${String(v[j])})`);
      if (this.metric === 'cosine') normalizeInto(Float32Array.from(v), q, i * this.dimension);
      else q.set(v, i * this.dimension);
    });
    const n = this.ids.length;
    if (n === 0 || queries.length === 0) return queries.map(() => []);
    let rows: number[] | undefined;
    if (filter !== undefined && Object.keys(filter).length > 0) {
      rows = [];
      for (let r = 0; r < n; r++) if (matchesFilter(this.docs[r]!.metadata, filter)) rows.push(r);
      if (rows.length === 0) return queries.map(() => []);
    }
    const kk = Math.min(k, rows?.length ?? n);
    const matrix = this.getMatrix();
    const { values, indices } = tf.tidy(() => {
      const qt = tf.tensor2d(q, [queries.length, this.dimension]);
      let scores = tf.matMul(qt, matrix, false, true); // [Q, N]
      if (rows !== undefined) {
        const mask = new Float32Array(n).fill(-Infinity);
        for (const r of rows) mask[r] = 0;
        scores = tf.add(scores, tf.tensor2d(mask, [1, n]));
      }
      return tf.topk(scores, kk, true);
    });
    const [vals, idx] = await Promise.all([values.data(), indices.data()]);
    values.dispose();
    indices.dispose();
    return queries.map((_, qi) => {
      const out: [Document<M>, number][] = [];
      for (let j = 0; j < kk; j++) out.push([this.copy(idx[qi * kk + j]!), vals[qi * kk + j]!]);
      return out;
    });
  }

  /** A {@link Retriever} over this store (`k` results, default 4, optionally filtered). */
  asRetriever(options: { k?: number; filter?: MetadataFilter } = {}): Retriever<M> {
    const k = checkK(options.k ?? 4);
    const filter = checkFilter('options.filter', options.filter);
    return { invoke: (query: string) => this.similaritySearch(query, k, filter) };
  }

  /** The store's content (copies), as persisted. */
  toContent(): StoreContent<M> {
    return {
      dimension: this.dimension,
      metric: this.metric,
      ids: [...this.ids],
      documents: this.ids.map((_, r) => this.copy(r)),
      vectors: this.vectors.slice(0, this.ids.length * this.dimension),
    };
  }

  /** The persisted parts (manifest, documents, vectors) of the directory form. */
  toParts(): StoreParts {
    return encodeStore(this.toContent());
  }

  /** The whole store as one buffer (reload with {@link EmbeddedVectorStore.fromArrayBuffer}). */
  toArrayBuffer(): ArrayBuffer {
    return packStore(this.toParts());
  }

  /**
   * Replaces this store's content with decoded content (dimension and metric must match).
   *
   * @throws {@link DimensionMismatchError} / {@link VectorStoreError} when they do not; the store is unchanged
   */
  replaceContent(content: StoreContent<M>): void {
    if (content.dimension !== this.dimension) throw new DimensionMismatchError('index', this.dimension, content.dimension);
    if (content.metric !== this.metric) throw new VectorStoreError('index.metric', `is ${content.metric}, the store's is ${this.metric}`);
    this.ids = [...content.ids];
    this.docs = content.documents.map((d) => ({ pageContent: d.pageContent, metadata: structuredClone(d.metadata) }));
    this.rowOf = new Map(this.ids.map((id, r) => [id, r]));
    this.vectors = Float32Array.from(content.vectors);
    this.nextId = nextGeneratedId(this.ids, 0);
    this.invalidate();
  }

  /**
   * Loads a store from a buffer made by {@link EmbeddedVectorStore.toArrayBuffer}.
   *
   * @param label - how the buffer is named in errors
   * @throws {@link IndexCorruptError} for a damaged buffer; {@link DimensionMismatchError} when the embedder's
   *   dimension differs from the index's
   */
  static fromArrayBuffer<M extends DocumentMetadata = DocumentMetadata>(buffer: ArrayBuffer | Uint8Array, embedder: Embedder, label = 'buffer'): EmbeddedVectorStore<M> {
    const parts = unpackStore(buffer, label);
    return EmbeddedVectorStore.fromParts<M>(parts, embedder, { documents: `${label}:documents`, vectors: `${label}:vectors` });
  }

  /** Loads a store from its decoded parts (see {@link EmbeddedVectorStore.fromArrayBuffer}). */
  static fromParts<M extends DocumentMetadata = DocumentMetadata>(parts: StoreParts, embedder: Embedder, names: { documents: string; vectors: string }): EmbeddedVectorStore<M> {
    const content = decodeStore<M>(parts, names);
    const store = new EmbeddedVectorStore<M>(embedder, { metric: content.metric });
    store.replaceContent(content);
    return store;
  }

  /**
   * Fetches a buffer made by {@link EmbeddedVectorStore.toArrayBuffer} (e.g. a static file next to a web app).
   *
   * @throws {@link IndexCorruptError} naming the URL for an HTTP error or a damaged index
   */
  static async fromUrl<M extends DocumentMetadata = DocumentMetadata>(url: string | URL, embedder: Embedder, options: FromUrlOptions = {}): Promise<EmbeddedVectorStore<M>> {
    const label = String(url);
    const f = options.fetch ?? globalThis.fetch;
    let r: Response;
    try {
      r = await f(url, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      throw new IndexCorruptError(label, `cannot be fetched: ${(error as Error).message}`, { cause: error });
    }
    if (!r.ok) throw new IndexCorruptError(label, `cannot be fetched: HTTP ${r.status}`);
    return EmbeddedVectorStore.fromArrayBuffer<M>(await r.arrayBuffer(), embedder, label);
  }

  /** Frees the cached tensor of the vectors (the store stays usable; it is rebuilt on the next search). */
  dispose(): void {
    this.invalidate();
  }

  private getMatrix(): tf.Tensor2D {
    if (!this.matrix) this.matrix = tf.tensor2d(this.vectors.subarray(0, this.ids.length * this.dimension), [this.ids.length, this.dimension]);
    return this.matrix;
  }

  private invalidate(): void {
    this.matrix?.dispose();
    this.matrix = undefined;
  }

  private copy(r: number): Document<M> {
    const d = this.docs[r]!;
    return { pageContent: d.pageContent, metadata: structuredClone(d.metadata) };
  }
}
