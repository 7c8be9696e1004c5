/**
 * LangChain.js adapter: any `@quarkmed/rag` {@link Retriever} (a store's `asRetriever()`, the hybrid retriever) as a
 * `BaseRetriever` from `@langchain/core` (an optional peer dependency), so a LangChain app can use it unchanged
 * (`.invoke(query)`, in chains, with callbacks and tracing). Imported only from `@quarkmed/rag/langchain`, so the
 * main entry works without `@langchain/core`.
 *
 * @packageDocumentation
 */
import { BaseRetriever, type BaseRetrieverInput } from '@langchain/core/retrievers';
import { Document as LangChainDocument } from '@langchain/core/documents';
import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import { RagError } from '../error';
import type { DocumentMetadata, Retriever } from '../types';

/** Options of {@link QuarkmedRetriever}. */
export interface QuarkmedRetrieverInput<M extends DocumentMetadata = DocumentMetadata> extends BaseRetrieverInput {
  /** The retriever to wrap. */
  retriever: Retriever<M>;
}

/** A bad argument of the LangChain adapter. */
export class LangChainAdapterError extends RagError {}

/**
 * A LangChain `BaseRetriever` over a `@quarkmed/rag` retriever: documents come back as LangChain `Document`s with the
 * same `pageContent` and `metadata` (and `id` from `metadata.id`).
 *
 * @example
 * ```ts
 * import { QuarkmedRetriever } from '@quarkmed/rag/langchain';
 * const retriever = new QuarkmedRetriever({ retriever: store.asRetriever({ k: 5 }) });
 * const docs = await retriever.invoke('What lowers LDL cholesterol?');
 * ```
 */
export class QuarkmedRetriever<M extends DocumentMetadata = DocumentMetadata> extends BaseRetriever<M> {
  static override lc_name(): string {
    return 'QuarkmedRetriever';
  }

  lc_namespace = ['quarkmed', 'rag', 'retrievers'];

  readonly retriever: Retriever<M>;

  /** @throws {@link LangChainAdapterError} when `retriever` has no `invoke` */
  constructor(fields: QuarkmedRetrieverInput<M>) {
    super(fields);
    if (!fields?.retriever || typeof fields.retriever.invoke !== 'function') throw new LangChainAdapterError('retriever: must have invoke(query) (a @quarkmed/rag Retriever)');
    this.retriever = fields.retriever;
  }

  override async _getRelevantDocuments(query: string, runManager?: CallbackManagerForRetrieverRun): Promise<LangChainDocument<M>[]> {
    void runManager;
    const docs = await this.retriever.invoke(query);
    return docs.map((d) => new LangChainDocument<M>({ pageContent: d.pageContent, metadata: d.metadata, ...(typeof d.metadata.id === 'string' ? { id: d.metadata.id } : {}) }));
  }
}
