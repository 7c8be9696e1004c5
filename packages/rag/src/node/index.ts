/**
 * The Node-only API of `@quarkmed/rag` (the `@quarkmed/rag/node` subpath): file-system persistence and the
 * PostgreSQL store. The main entry stays free of Node built-ins so that it bundles for the browser.
 *
 * @packageDocumentation
 */
export {};
