export { RagError } from './error';
export type { AuthorityLevel, Document, DocumentMetadata, Embedder, MetadataFilter, Retriever, ScoredDocument, VectorStore } from './types';
