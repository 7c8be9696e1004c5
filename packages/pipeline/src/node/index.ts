/**
 * The Node-only API of `@quarkmed/pipeline` (the `@quarkmed/pipeline/node` subpath): run directories, the CLI and the
 * server. The main entry stays free of Node built-ins so that it bundles for the browser.
 *
 * @packageDocumentation
 */
export {};

// pipeline-serve: the OpenAI-compatible server and the terminal chat
export { createServer, startServer, type QuarkmedServer, type RunningServer } from './serve/create-server';
export { resolveServeOptions, type ServerOptions, type StartServerOptions, type ResolvedServeLimits } from './serve/serve-options';
export { ServeOptionError, OpenAIApiError, type OpenAIErrorBody, type OpenAIErrorType } from './serve/serve-errors';
export { LocalEngine, type EngineStats, type EngineRun } from './serve/local-engine';
export { ConcurrencyLimiter } from './serve/concurrency-limiter';
export { loadLocalModel, type LocalModel } from './serve/load-local-model';
export type { ServeRetrievalOptions, CitedPassage, CitationCheck } from './serve/retrieval-context';
export { registerServeCommand } from './cli/commands/serve';
export { registerChatCommand } from './cli/commands/chat';
