/**
 * `quarkmed serve` as a library: an OpenAI-compatible HTTP API for a local checkpoint, on Hono.
 *
 * Why Hono: its handlers take and return the web-standard `Request`/`Response`, so the same app runs under Node
 * (`@hono/node-server`, which aborts the request's `signal` when the client disconnects — what stops generation) and
 * can be exercised in-process with `app.fetch`; it has no dependencies, ships typed body-limit and SSE helpers, and is
 * actively maintained. Fastify would do too, but brings its own request/reply model and a larger dependency tree.
 *
 * Routes: `POST /v1/chat/completions`, `POST /v1/completions` (both stream by SSE with `stream: true`),
 * `GET /v1/models`, `GET /v1/models/:id`. Every error is JSON in OpenAI's shape `{error: {message, type, param,
 * code}}`: 400 malformed or unsupported request, 401 API key, 404 model or route, 413 body too large, 429 busy,
 * 500 server error.
 *
 * @packageDocumentation
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { apiKeyChecker } from './api-key-check';
import { chatCompletionsRoute } from './chat-completions-route';
import { completionsRoute } from './completions-route';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { LocalEngine, type EngineStats } from './local-engine';
import { listModelsRoute, retrieveModelRoute } from './models-route';
import { nowSeconds, type RouteContext } from './route-context';
import { OpenAIApiError, errorBodyOf } from './serve-errors';
import { resolveServeOptions, type ServerOptions, type StartServerOptions } from './serve-options';

/** A server app not yet listening. */
export interface QuarkmedServer {
  /** The Hono app. */
  app: Hono;
  /** Answers one web-standard request (what `@hono/node-server` calls; handy in tests). */
  fetch: (request: Request) => Response | Promise<Response>;
  /** The served model id. */
  modelId: string;
  /** Generation counters (running, tokens generated, finished, aborted). */
  readonly stats: EngineStats;
  /** Requests running and waiting for a generation slot. */
  load(): { running: number; waiting: number };
}

/** A listening server. */
export interface RunningServer extends QuarkmedServer {
  /** `http://host:port` (the base URL of the API is `${url}/v1`). */
  url: string;
  port: number;
  /** The Node HTTP server. */
  server: ServerType;
  /** Stops accepting connections, ends open ones and resolves when closed. */
  close(): Promise<void>;
}

/**
 * Builds the app for a loaded model and tokenizer.
 *
 * @throws ServeOptionError naming a bad option
 */
export function createServer(options: ServerOptions): QuarkmedServer {
  const limits = resolveServeOptions(options);
  const engine = new LocalEngine(options.model, options.tokenizer);
  const ctx: RouteContext = {
    modelId: limits.modelId,
    created: nowSeconds(),
    engine,
    limiter: new ConcurrencyLimiter(limits.maxConcurrent, limits.maxQueue),
    limits: { maxTokens: limits.maxTokens, maxChoices: limits.maxChoices, maxSeqLen: engine.maxSeqLen, defaultSeed: limits.defaultSeed },
    ...(options.retrieval ? { retrieval: options.retrieval } : {}),
  };
  const app = new Hono();
  app.onError((error, c) => {
    const status = error instanceof OpenAIApiError ? error.status : 500;
    return c.json(errorBodyOf(error), status);
  });
  app.notFound((c) => c.json(new OpenAIApiError(404, `Invalid URL (${c.req.method} ${new URL(c.req.url).pathname})`, 'invalid_request_error', null, 'unknown_url').toBody(), 404));
  if (limits.apiKey !== undefined) {
    const check = apiKeyChecker(limits.apiKey);
    app.use('/v1/*', async (c, next) => {
      check(c.req.header('authorization'));
      await next();
    });
  }
  const limitBody = bodyLimit({
    maxSize: limits.maxBodyBytes,
    onError: (c) =>
      c.json(new OpenAIApiError(413, `The request body is larger than this server's limit of ${limits.maxBodyBytes} bytes.`, 'invalid_request_error', null, 'request_too_large').toBody(), 413),
  });
  app.post('/v1/chat/completions', limitBody, (c) => chatCompletionsRoute(c, ctx));
  app.post('/v1/completions', limitBody, (c) => completionsRoute(c, ctx));
  app.get('/v1/models', (c) => listModelsRoute(c, ctx));
  app.get('/v1/models/:id', (c) => retrieveModelRoute(c, ctx));
  return {
    app,
    fetch: (request) => app.fetch(request),
    modelId: limits.modelId,
    stats: engine.stats,
    load: () => ({ running: ctx.limiter.running, waiting: ctx.limiter.waiting }),
  };
}

/**
 * Builds the app and listens on `host:port` (default `127.0.0.1:8000`; port 0 picks a free one).
 *
 * @throws ServeOptionError for bad options; rejects when the port cannot be bound
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const limits = resolveServeOptions(options);
  const app = createServer(options);
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: limits.host, port: limits.port }, (info) => resolve({ server: s, port: info.port }));
    s.once('error', reject);
  });
  const host = limits.host.includes(':') ? `[${limits.host}]` : limits.host;
  return {
    ...app,
    stats: app.stats,
    url: `http://${host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
