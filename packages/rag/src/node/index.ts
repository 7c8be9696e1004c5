/**
 * The Node-only API of `@quarkmed/rag` (the `@quarkmed/rag/node` subpath): file-system persistence and the
 * PostgreSQL store. The main entry stays free of Node built-ins so that it bundles for the browser.
 *
 * @packageDocumentation
 */
export { saveVectorStore, loadVectorStore, reloadVectorStore, readVectorStoreParts } from './directory-store';
export { saveEmbedder, loadEmbedderFromDirectory, loadDefaultEmbedder, defaultEmbedderDir, DEFAULT_EMBEDDER_NAME } from './embedder-files';
export { PgVectorStore, type PgVectorStoreOptions, type PgMetric } from './pgvector-store';
export { DatabaseConnectionError, DatabaseQueryError } from './pg-errors';
