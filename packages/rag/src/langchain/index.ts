/**
 * `@quarkmed/rag/langchain`: the LangChain.js adapter (needs the optional peer `@langchain/core`).
 *
 * @packageDocumentation
 */
export { QuarkmedRetriever, LangChainAdapterError } from './langchain-retriever';
export type { QuarkmedRetrieverInput } from './langchain-retriever';
