/**
 * What the route handlers share: the engine, the limiter, the limits and the retrieval settings of one server.
 *
 * @packageDocumentation
 */
import type { GenerateResult } from '@quarkmed/model';
import type { ConcurrencyLimiter } from './concurrency-limiter';
import type { GenerationLimits } from './generation-params';
import type { LocalEngine } from './local-engine';
import type { ServeRetrievalOptions } from './retrieval-context';
import { OpenAIApiError } from './serve-errors';

/** The state of one server, passed to every route. */
export interface RouteContext {
  modelId: string;
  created: number;
  engine: LocalEngine;
  limiter: ConcurrencyLimiter;
  limits: GenerationLimits;
  retrieval?: ServeRetrievalOptions;
}

/** Refuses a request for another model than the one served (OpenAI's 404 `model_not_found`). */
export function checkModel(ctx: RouteContext, model: string): void {
  if (model !== ctx.modelId) {
    throw new OpenAIApiError(404, `The model '${model}' does not exist. This server serves '${ctx.modelId}'.`, 'invalid_request_error', 'model', 'model_not_found');
  }
}

/** Whether a request is retrieval-augmented: its `retrieval` flag, else on when the server has a retriever. */
export function wantsRetrieval(ctx: RouteContext, flag: boolean | undefined): boolean {
  if (flag === true && !ctx.retrieval) {
    throw new OpenAIApiError(400, "Invalid value for 'retrieval': this server was started without a retrieval store.", 'invalid_request_error', 'retrieval', 'invalid_value');
  }
  return flag ?? ctx.retrieval !== undefined;
}

/** An abort controller that fires when the client's request is aborted (disconnect). */
export function requestAbort(signal: AbortSignal): AbortController {
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller;
}

/** Unix seconds now. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** OpenAI's `usage` of one request: the prompt tokens and every generated token of its choices. */
export function openAIUsage(promptTokens: number, results: readonly GenerateResult[]): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const completion = results.reduce((s, r) => s + r.tokenIds.length, 0);
  return { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
}
