/**
 * `POST /v1/completions`: OpenAI's (legacy) text completion, whole or streamed by SSE
 * (`data: {text_completion}\n\n` … `data: [DONE]\n\n`). Several prompts and `n` give `prompts × n` choices, indexed
 * prompt-major as OpenAI does.
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import type { GenerateResult } from '@quarkmed/model';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { openAIFinishReason } from './chat-completions-route';
import { resolveRun } from './generation-params';
import { readJsonBody } from './read-json-body';
import { completionRequestSchema, parseRequest, type CompletionRequest } from './request-schemas';
import { citationCheck, retrieveContext, type RetrievedContext } from './retrieval-context';
import { checkModel, nowSeconds, requestAbort, wantsRetrieval, openAIUsage, type RouteContext } from './route-context';
import { OpenAIApiError, errorBodyOf } from './serve-errors';

/** The request's prompts as strings or token ids, one entry per prompt. */
function promptList(prompt: CompletionRequest['prompt']): (string | number[])[] {
  if (typeof prompt === 'string') return [prompt];
  if (typeof prompt[0] === 'number') return [prompt as number[]];
  return prompt as string[] | number[][];
}

/** Handles one completion request. */
export async function completionsRoute(c: Context, ctx: RouteContext): Promise<Response> {
  const request = parseRequest(completionRequestSchema, await readJsonBody(c));
  checkModel(ctx, request.model);
  const abort = requestAbort(c.req.raw.signal);
  const prompts = promptList(request.prompt);
  const contexts: (RetrievedContext | undefined)[] = [];
  const retrieval = wantsRetrieval(ctx, request.retrieval);
  const vocab = ctx.engine.model.config.vocabSize;
  const ids = await Promise.all(
    prompts.map(async (p, i) => {
      if (typeof p !== 'string') {
        const bad = p.findIndex((id) => id >= vocab);
        if (bad >= 0) {
          const param = prompts.length === 1 && typeof request.prompt[0] === 'number' ? `prompt[${bad}]` : `prompt[${i}][${bad}]`;
          throw new OpenAIApiError(400, `Invalid value for '${param}': token id ${p[bad]} is outside the vocabulary (size ${vocab}).`, 'invalid_request_error', param, 'invalid_value');
        }
        if (retrieval) throw new OpenAIApiError(400, 'Retrieval needs text prompts, not token ids; send retrieval: false.', 'invalid_request_error', 'retrieval', 'invalid_value');
        return p;
      }
      if (p.length === 0) throw new OpenAIApiError(400, `Invalid value for 'prompt': prompt ${i} is empty.`, 'invalid_request_error', 'prompt', 'invalid_value');
      const context = retrieval ? await retrieveContext(ctx.retrieval!, p, abort.signal) : undefined;
      contexts[i] = context;
      return ctx.engine.encode(context ? context.prompt : p);
    }),
  );
  ids.forEach((p, i) => {
    if (p.length === 0) throw new OpenAIApiError(400, `Invalid value for 'prompt': prompt ${i} encodes to no tokens.`, 'invalid_request_error', 'prompt', 'invalid_value');
  });
  const longest = Math.max(...ids.map((p) => p.length));
  const run = resolveRun(request, longest, ctx.limits, ctx.engine.completionStopIds, 'prompt');
  const rows = ids.flatMap((p) => Array.from({ length: run.n }, () => p));
  const rowContext = (row: number) => contexts[Math.floor(row / run.n)];
  const promptTokens = ids.reduce((s, p) => s + p.length, 0);
  const release = await ctx.limiter.acquire(abort.signal);
  const base = { id: `cmpl-${randomUUID()}`, object: 'text_completion', created: nowSeconds(), model: ctx.modelId, system_fingerprint: null };
  const citations = retrieval ? { citations: contexts.map((x) => x?.citations ?? []) } : {};

  if (request.stream !== true) {
    try {
      const results = await ctx.engine.complete({ ...run, prompts: rows, signal: abort.signal });
      return c.json({
        ...base,
        choices: results.map((r, index) => {
          const context = rowContext(index);
          return { text: r.text, index, logprobs: null, finish_reason: openAIFinishReason(r.finishReason), ...(context ? { citation_check: citationCheck(r.text, context) } : {}) };
        }),
        usage: openAIUsage(promptTokens, results),
        ...citations,
      });
    } finally {
      release();
    }
  }

  const includeUsage = request.stream_options?.include_usage === true;
  return streamSSE(
    c,
    async (stream) => {
      stream.onAbort(() => abort.abort(new DOMException('The client closed the stream', 'AbortError')));
      try {
        const chunk = (choices: unknown[], more: Record<string, unknown> = {}) => stream.writeSSE({ data: JSON.stringify({ ...base, choices, ...more }) });
        let first = true;
        const it = ctx.engine.generate({ ...run, prompts: rows, signal: abort.signal });
        let results: GenerateResult[];
        for (;;) {
          const r = await it.next();
          if (r.done) {
            results = r.value;
            break;
          }
          const e = r.value;
          if (e.text.length === 0 && !e.finishReason) continue;
          await chunk([{ text: e.text, index: e.row, logprobs: null, finish_reason: e.finishReason ? openAIFinishReason(e.finishReason) : null }], first ? citations : {});
          first = false;
        }
        if (abort.signal.aborted) return;
        if (includeUsage) {
          await chunk([], { usage: openAIUsage(promptTokens, results) });
        }
        await stream.writeSSE({ data: '[DONE]' });
      } finally {
        release();
      }
    },
    async (error, stream) => {
      await stream.writeSSE({ data: JSON.stringify(errorBodyOf(error)) });
    },
  );
}
