/** A {@link Retriever} over a {@link Bm25Index} alone. */
import type { Document, DocumentMetadata, MetadataFilter, Retriever } from '../types';
import type { Bm25Index } from '../sparse/bm25-index';
import { checkInteger } from '../validation/checks';
import { checkFilter, compileFreshness, type FreshnessFilter } from './metadata-filter';

/** Options of a {@link Bm25Retriever}. */
export interface Bm25RetrieverOptions {
  /** Results returned. Default 4. */
  k?: number;
  filter?: MetadataFilter;
  freshness?: FreshnessFilter;
}

/** BM25 as a LangChain-style retriever. */
export class Bm25Retriever implements Retriever {
  private readonly k: number;
  private readonly filter: MetadataFilter | undefined;
  private readonly fresh: ((m: DocumentMetadata) => boolean) | undefined;

  /** @throws {@link RagArgumentError} for a bad `k`, filter or freshness filter. */
  constructor(
    readonly index: Bm25Index,
    options: Bm25RetrieverOptions = {},
  ) {
    this.k = checkInteger('options.k', options.k ?? 4, 1);
    this.filter = checkFilter('options.filter', options.filter);
    this.fresh = compileFreshness('options.freshness', options.freshness);
  }

  /** The `k` best documents for `query`. @throws {@link RagArgumentError} for an empty query. */
  async invoke(query: string, options: { signal?: AbortSignal } = {}): Promise<Document[]> {
    options.signal?.throwIfAborted();
    return this.index.search(query, this.k, { filter: this.filter, where: this.fresh }).map((h) => h.document);
  }
}
