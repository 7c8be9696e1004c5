/**
 * An {@link EvalModel} over any OpenAI-compatible endpoint (`POST {baseUrl}/chat/completions`, or
 * `/completions`): vLLM, llama.cpp's server, a hosted API, `quarkmed serve`. Browser-safe (global `fetch`).
 *
 * - The API key is given, or read from the environment variable named by `apiKeyEnv` (a missing variable is an
 *   error naming it, never an unauthenticated request).
 * - At most `concurrency` requests in flight; each has a timeout (`timeoutMs`).
 * - 429, 408, 5xx, network errors and timeouts are retried up to `maxRetries` times with exponential backoff and
 *   seeded jitter, waiting at least the server's `Retry-After` (a `Retry-After` above `maxRetryAfterMs` ends the
 *   retries). Other statuses fail at once with the status and body.
 * - With a `cache`, answers are stored by (model, prompt, parameters) and a repeated request is answered from it
 *   (an interrupted run resumes where it stopped).
 * - The caller's `signal` aborts the request, a backoff wait or a queued request: an {@link EvalModelAbortError}.
 *
 * @packageDocumentation
 */
import { answerCacheKey, type AnswerCache } from './answer-cache';
import { ConcurrencyLimit } from './concurrency-limit';
import { toMessages, type EvalGenerateOptions, type EvalModel, type EvalPrompt } from './eval-model';
import { EvalModelAbortError, EvalModelConfigError, EvalModelHttpError, EvalModelRequestError, EvalModelResponseError } from './model-errors';
import { Backoff, isRetryableStatus, parseRetryAfter, type BackoffOptions } from './retry-policy';

/** Options of {@link OpenAICompatibleModel}. */
export interface OpenAICompatibleModelOptions {
  /** The API root, e.g. `http://localhost:8000/v1` (`/chat/completions` is appended). */
  baseUrl: string;
  /** The model name sent in requests. */
  model: string;
  /** The API key (sent as `Authorization: Bearer …`). */
  apiKey?: string;
  /** The name of the environment variable holding the API key (e.g. `OPENAI_API_KEY`). */
  apiKeyEnv?: string;
  /** The environment `apiKeyEnv` is read from (default `process.env` where there is one). */
  env?: Readonly<Record<string, string | undefined>>;
  /** `chat` (default: `/chat/completions` with messages) or `completions` (`/completions` with the prompt text). */
  endpoint?: 'chat' | 'completions';
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Retries after the first attempt (default 4). */
  maxRetries?: number;
  /** Timeout of each attempt in ms (default 60000). */
  timeoutMs?: number;
  backoff?: BackoffOptions;
  /** A `Retry-After` longer than this ends the retries (default 120000 ms). */
  maxRetryAfterMs?: number;
  /** `max_tokens` when the caller gives none (default 512). */
  defaultMaxTokens?: number;
  /** The answer cache. */
  cache?: AnswerCache;
  /** Extra request headers. */
  headers?: Readonly<Record<string, string>>;
  /** Replaces global fetch (proxies, tests). */
  fetch?: typeof fetch;
  /** The model id in predictions and cache keys (default `<model>@<baseUrl>`). */
  id?: string;
}

/** Statistics of a client (for logs and tests). */
export interface OpenAIClientStats {
  requests: number;
  retries: number;
  cacheHits: number;
}

class AttemptTimeout extends Error {}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The OpenAI-compatible client model (see the module documentation). */
export class OpenAICompatibleModel implements EvalModel {
  readonly id: string;
  readonly stats: OpenAIClientStats = { requests: 0, retries: 0, cacheHits: 0 };
  private readonly url: string;
  private readonly apiKey: string | undefined;
  private readonly limit: ConcurrencyLimit;
  private readonly backoff: Backoff;
  private readonly fetchFn: typeof fetch;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly defaultMaxTokens: number;

  /** @throws {@link EvalModelConfigError} naming the option for a bad option or an unset `apiKeyEnv` variable. */
  constructor(private readonly options: OpenAICompatibleModelOptions) {
    const { baseUrl, model } = options;
    if (typeof baseUrl !== 'string' || !/^https?:\/\/[^/]/.test(baseUrl)) throw new EvalModelConfigError('baseUrl', `must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
    if (typeof model !== 'string' || model.trim() === '') throw new EvalModelConfigError('model', 'must be a non-empty model name');
    const endpoint = options.endpoint ?? 'chat';
    if (endpoint !== 'chat' && endpoint !== 'completions') throw new EvalModelConfigError('endpoint', `must be chat or completions, got ${String(endpoint)}`);
    this.url = `${baseUrl.replace(/\/+$/, '')}/${endpoint === 'chat' ? 'chat/completions' : 'completions'}`;
    if (options.apiKey !== undefined) this.apiKey = options.apiKey;
    else if (options.apiKeyEnv !== undefined) {
      const env = options.env ?? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
      const v = env[options.apiKeyEnv];
      if (v === undefined || v === '') throw new EvalModelConfigError('apiKeyEnv', `the environment variable ${options.apiKeyEnv} is not set`);
      this.apiKey = v;
    }
    this.limit = new ConcurrencyLimit(options.concurrency ?? 4);
    this.maxRetries = options.maxRetries ?? 4;
    if (!Number.isInteger(this.maxRetries) || this.maxRetries < 0) throw new EvalModelConfigError('maxRetries', `must be a non-negative integer, got ${String(options.maxRetries)}`);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    if (!(this.timeoutMs > 0)) throw new EvalModelConfigError('timeoutMs', `must be positive, got ${String(options.timeoutMs)}`);
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
    this.defaultMaxTokens = options.defaultMaxTokens ?? 512;
    if (!Number.isInteger(this.defaultMaxTokens) || this.defaultMaxTokens < 1) throw new EvalModelConfigError('defaultMaxTokens', `must be a positive integer, got ${String(options.defaultMaxTokens)}`);
    this.backoff = new Backoff(options.backoff);
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.id = options.id ?? `${model}@${baseUrl.replace(/\/+$/, '')}`;
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.limit.running;
  }

  /**
   * The endpoint's answer to `prompt` (from the cache when it holds one).
   *
   * @throws {@link EvalModelAbortError} when `options.signal` aborts; {@link EvalModelHttpError},
   * {@link EvalModelRequestError} when retries run out or the status is not retried; {@link EvalModelResponseError}
   * for a reply without a completion.
   */
  async generate(prompt: EvalPrompt, options: EvalGenerateOptions = {}): Promise<string> {
    const signal = options.signal;
    if (signal?.aborted) throw new EvalModelAbortError(this.id);
    const cache = this.options.cache;
    const key = cache ? await answerCacheKey(this.id, prompt, options) : undefined;
    if (cache && key) {
      const hit = await cache.get(key);
      if (hit !== undefined) {
        this.stats.cacheHits++;
        return hit;
      }
    }
    const answer = await this.limit.run(() => this.request(prompt, options));
    if (cache && key) await cache.set(key, answer);
    return answer;
  }

  private body(prompt: EvalPrompt, o: EvalGenerateOptions): string {
    const common: Record<string, unknown> = { model: this.options.model, max_tokens: o.maxTokens ?? this.defaultMaxTokens };
    if (o.temperature !== undefined) common.temperature = o.temperature;
    if (o.topP !== undefined) common.top_p = o.topP;
    if (o.seed !== undefined) common.seed = o.seed;
    if (o.stop !== undefined && o.stop.length > 0) common.stop = [...o.stop];
    if ((this.options.endpoint ?? 'chat') === 'chat') return JSON.stringify({ ...common, messages: toMessages(prompt) });
    const text = typeof prompt === 'string' ? prompt : prompt.map((m) => m.content).join('\n\n');
    return JSON.stringify({ ...common, prompt: text });
  }

  private async request(prompt: EvalPrompt, o: EvalGenerateOptions): Promise<string> {
    const signal = o.signal;
    const body = this.body(prompt, o);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(this.options.headers ?? {}) };
    if (this.apiKey !== undefined) headers.authorization = `Bearer ${this.apiKey}`;
    let lastReason = '';
    let lastCause: unknown;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new EvalModelAbortError(this.id);
      const ctl = new AbortController();
      const onAbort = (): void => ctl.abort(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => ctl.abort(new AttemptTimeout()), this.timeoutMs);
      let retryAfter: number | undefined;
      try {
        this.stats.requests++;
        const res = await this.fetchFn(this.url, { method: 'POST', headers, body, signal: ctl.signal });
        const text = await res.text();
        if (res.ok) return this.parse(text);
        if (!isRetryableStatus(res.status) || attempt >= this.maxRetries) throw new EvalModelHttpError(this.url, res.status, text, attempt + 1);
        retryAfter = parseRetryAfter(res.headers.get('retry-after'));
        if (retryAfter !== undefined && retryAfter > this.maxRetryAfterMs) throw new EvalModelHttpError(this.url, res.status, `${text} (Retry-After ${retryAfter} ms exceeds maxRetryAfterMs ${this.maxRetryAfterMs})`, attempt + 1);
        lastReason = `HTTP ${res.status}`;
      } catch (e) {
        if (e instanceof EvalModelHttpError || e instanceof EvalModelResponseError) throw e;
        if (signal?.aborted) throw new EvalModelAbortError(this.id);
        const timedOut = ctl.signal.reason instanceof AttemptTimeout;
        lastReason = timedOut ? `timed out after ${this.timeoutMs} ms` : e instanceof Error ? e.message : String(e);
        lastCause = e;
        if (attempt >= this.maxRetries) throw new EvalModelRequestError(this.url, attempt + 1, lastReason, { cause: lastCause });
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
      this.stats.retries++;
      try {
        await sleep(this.backoff.delay(attempt, retryAfter), signal);
      } catch {
        throw new EvalModelAbortError(this.id);
      }
    }
  }

  private parse(text: string): string {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new EvalModelResponseError(this.url, `the body is not JSON: ${text.slice(0, 120)}`);
    }
    const choice = (json as { choices?: unknown[] })?.choices?.[0] as { message?: { content?: unknown }; text?: unknown } | undefined;
    if (!choice) throw new EvalModelResponseError(this.url, 'no choices[0]');
    const content = (this.options.endpoint ?? 'chat') === 'chat' ? choice.message?.content : choice.text;
    if (typeof content !== 'string') throw new EvalModelResponseError(this.url, `choices[0].${(this.options.endpoint ?? 'chat') === 'chat' ? 'message.content' : 'text'} is not a string`);
    return content;
  }
}
