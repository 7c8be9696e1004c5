/**
 * The shared vocabulary of `@quarkmed/rag`, in the JavaScript ecosystem's terms (LangChain.js names): documents with
 * `pageContent` and `metadata`, an {@link Embedder}, a {@link VectorStore} and a {@link Retriever}.
 *
 * @packageDocumentation
 */

/** Authority level of a source, as in the QuarkMed report: A (guidelines, textbooks) … E (unvetted web text). */
export type AuthorityLevel = 'A' | 'B' | 'C' | 'D' | 'E';

/** Metadata every indexed chunk carries (plus any user fields). */
export interface DocumentMetadata {
  /** Stable id of the chunk (unique within a store). */
  id?: string;
  /** Where the text comes from (a URL, a file, a dataset record id). */
  source?: string;
  title?: string;
  authority?: AuthorityLevel;
  /** ISO 8601 date (`2024-05-01`) of the source, for freshness filters. */
  date?: string;
  /** BCP 47 language tag of the text (`en`, `zh`). */
  language?: string;
  /** Id of the document a chunk was cut from. */
  parentId?: string;
  [key: string]: unknown;
}

/** A piece of text and its metadata (LangChain's `Document` shape). */
export interface Document<M extends DocumentMetadata = DocumentMetadata> {
  pageContent: string;
  metadata: M;
}

/** A retrieved document and its score (higher is better; the scale depends on the retriever). */
export interface ScoredDocument<M extends DocumentMetadata = DocumentMetadata> {
  document: Document<M>;
  score: number;
}

/** A metadata filter: every key must equal (or, for an array, be one of) the given value(s). */
export type MetadataFilter = Record<string, string | number | boolean | readonly (string | number | boolean)[]>;

/** Turns texts into fixed-size vectors (unit-normalised when `normalized` is true). */
export interface Embedder {
  /** Length of every vector. */
  readonly dimension: number;
  /** Whether vectors have unit L2 norm (so inner product = cosine). */
  readonly normalized: boolean;
  embedDocuments(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
  embedQuery(text: string, options?: { signal?: AbortSignal }): Promise<Float32Array>;
}

/** A store of embedded documents (LangChain's `VectorStore` method names). */
export interface VectorStore<M extends DocumentMetadata = DocumentMetadata> {
  readonly embedder: Embedder;
  /** Embeds and adds (or replaces, by `metadata.id`) documents; returns their ids. */
  addDocuments(documents: readonly Document<M>[], options?: { ids?: readonly string[] }): Promise<string[]>;
  /** The `k` nearest documents to the query, best first, optionally filtered by metadata. */
  similaritySearch(query: string, k?: number, filter?: MetadataFilter): Promise<Document<M>[]>;
  similaritySearchWithScore(query: string, k?: number, filter?: MetadataFilter): Promise<[Document<M>, number][]>;
  similaritySearchVectorWithScore(query: Float32Array, k: number, filter?: MetadataFilter): Promise<[Document<M>, number][]>;
  /** Removes documents by id (from every index the store keeps). */
  delete(options: { ids: readonly string[] }): Promise<void>;
}

/** Anything that answers a query with documents (LangChain's `Retriever.invoke`). */
export interface Retriever<M extends DocumentMetadata = DocumentMetadata> {
  invoke(query: string, options?: { signal?: AbortSignal }): Promise<Document<M>[]>;
}
