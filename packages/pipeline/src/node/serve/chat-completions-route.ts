/**
 * `POST /v1/chat/completions`: OpenAI's chat completion, whole or streamed by SSE as OpenAI streams it
 * (`data: {chat.completion.chunk}\n\n` … `data: [DONE]\n\n`).
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import type { ChatMessage, FinishReason, GenerateResult } from '@quarkmed/model';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { resolveRun } from './generation-params';
import { chatCompletionRequestSchema, parseRequest, type ChatCompletionRequest } from './request-schemas';
import { citationCheck, retrieveContext, type RetrievedContext } from './retrieval-context';
import { checkModel, nowSeconds, requestAbort, wantsRetrieval, openAIUsage, type RouteContext } from './route-context';
import { OpenAIApiError, errorBodyOf } from './serve-errors';
import { readJsonBody } from './read-json-body';

function messageText(content: ChatCompletionRequest['messages'][number]['content']): string {
  return typeof content === 'string' ? content : content.map((p) => p.text).join('');
}

function toChatMessages(request: ChatCompletionRequest): ChatMessage[] {
  return request.messages.map((m) => ({ role: m.role === 'developer' ? 'system' : m.role, content: messageText(m.content) }));
}

/** OpenAI's finish reason of a row (`abort` never reaches a client that is still there). */
export function openAIFinishReason(reason: FinishReason): 'stop' | 'length' {
  return reason === 'length' ? 'length' : 'stop';
}

async function augment(ctx: RouteContext, request: ChatCompletionRequest, messages: ChatMessage[], signal: AbortSignal): Promise<RetrievedContext | undefined> {
  if (!wantsRetrieval(ctx, request.retrieval)) return undefined;
  let last = -1;
  messages.forEach((m, i) => {
    if (m.role === 'user') last = i;
  });
  if (last < 0) throw new OpenAIApiError(400, 'Retrieval needs a user message to retrieve for.', 'invalid_request_error', 'messages', 'invalid_value');
  const context = await retrieveContext(ctx.retrieval!, messages[last]!.content, signal);
  if (context) messages[last] = { role: 'user', content: context.prompt };
  return context;
}

/** Handles one chat completion request. */
export async function chatCompletionsRoute(c: Context, ctx: RouteContext): Promise<Response> {
  const request = parseRequest(chatCompletionRequestSchema, await readJsonBody(c));
  checkModel(ctx, request.model);
  const abort = requestAbort(c.req.raw.signal);
  const messages = toChatMessages(request);
  const context = await augment(ctx, request, messages, abort.signal);
  const promptIds = ctx.engine.encodeChat(messages);
  const run = resolveRun(request, promptIds.length, ctx.limits, ctx.engine.chatStopIds, 'messages');
  const release = await ctx.limiter.acquire(abort.signal);
  const id = `chatcmpl-${randomUUID()}`;
  const created = nowSeconds();
  const base = { id, created, model: ctx.modelId, system_fingerprint: null };
  const prompts = Array.from({ length: run.n }, () => promptIds);
  const extra = context ? { citations: context.citations } : {};

  if (request.stream !== true) {
    try {
      const results = await ctx.engine.complete({ ...run, prompts, signal: abort.signal });
      return c.json({
        ...base,
        object: 'chat.completion',
        choices: results.map((r, index) => ({
          index,
          message: { role: 'assistant', content: r.text, refusal: null },
          logprobs: null,
          finish_reason: openAIFinishReason(r.finishReason),
          ...(context ? { citation_check: citationCheck(r.text, context) } : {}),
        })),
        usage: openAIUsage(promptIds.length, results),
        ...extra,
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
        const chunk = (choices: unknown[], more: Record<string, unknown> = {}) =>
          stream.writeSSE({ data: JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...more }) });
        for (let index = 0; index < run.n; index++) {
          await chunk([{ index, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], index === 0 ? extra : {});
        }
        const it = ctx.engine.generate({ ...run, prompts, signal: abort.signal });
        let results: GenerateResult[];
        for (;;) {
          const r = await it.next();
          if (r.done) {
            results = r.value;
            break;
          }
          const e = r.value;
          if (e.text.length > 0) await chunk([{ index: e.row, delta: { content: e.text }, logprobs: null, finish_reason: null }]);
          if (e.finishReason) await chunk([{ index: e.row, delta: {}, logprobs: null, finish_reason: openAIFinishReason(e.finishReason) }]);
        }
        if (abort.signal.aborted) return;
        if (includeUsage) {
          await chunk([], { usage: openAIUsage(promptIds.length, results) });
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
