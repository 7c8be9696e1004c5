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
export { ServeOptionError, LocalModelError, OpenAIApiError, type OpenAIErrorBody, type OpenAIErrorType } from './serve/serve-errors';
export { LocalEngine, type EngineStats, type EngineRun } from './serve/local-engine';
export { ConcurrencyLimiter } from './serve/concurrency-limiter';
export { loadLocalModel, type LocalModel } from './serve/load-local-model';
export type { ServeRetrievalOptions, CitedPassage, CitationCheck } from './serve/retrieval-context';
export { registerServeCommand } from './cli/commands/serve';
export { registerChatCommand } from './cli/commands/chat';

// pipeline-eval: benchmark files, the on-disk answer cache, local checkpoints as eval models, eval jobs, `quarkmed eval`
export { loadBenchmarkFile, readBenchmarkBytes } from './eval/benchmark-file';
export { FileAnswerCache } from './eval/file-answer-cache';
export { writePredictionsFile, readPredictionsFile } from './eval/predictions-file';
export { loadLocalEvalModel, type LoadLocalEvalModelOptions } from './eval/local-model-files';
export { loadKnowledgeProbes, type LoadKnowledgeProbesOptions } from './eval/knowledge-probe-files';
export { readCorpusFile, loadCorpusRetriever } from './eval/retrieval-corpus';
export { runEvalJob, rescoreFiles, predictionsPath, type EvalJobOptions } from './eval/run-eval';
export { registerEvalCommand, runEvalCommand, type EvalCommandOptions } from './cli/commands/eval';

// pipeline-recipe: run directories, progress, the report file, the CLI program
export { runRecipe, type RunRecipeOptions, type RunRecipeResult } from './run/run-recipe';
export { readManifest, writeManifest, verifyStage, configHash, sha256, RunManifestError, type RunManifest, type StageEntry, type ArtifactEntry } from './run/manifest';
export { loadRecipeConfig } from './run/load-config';
export { nodeStageContext, readMedicalText, defaultMedicalTextDir, type NodeContextOptions } from './run/node-context';
export { ProgressReporter, type ProgressOptions } from './progress/reporter';
export { writeReport, loadPlotLibrary, reportData, ReportInputError } from './report/write-report';
export { buildProgram, main } from './cli/main';
export { registerRunCommand } from './cli/commands/run';
export { registerStageCommand } from './cli/commands/stage';
export { registerReportCommand } from './cli/commands/report';
export { CliUsageError } from './cli/usage-error';
