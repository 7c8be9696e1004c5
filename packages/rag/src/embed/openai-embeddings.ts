/**
 * An {@link Embedder} over any OpenAI-compatible `POST /v1/embeddings` endpoint (OpenAI, Azure-style proxies, vLLM,
 * llama.cpp server, Ollama, text-embeddings-inference): batching, retries with exponential backoff on 429 and 5xx
 * (honouring `Retry-After`), a timeout per request and caller cancellation through `AbortSignal`.
 *
 * @packageDocumentation
 */
import type { Embedder } from '../types';
import { EmbedderError, EmbeddingRequestError, EmbeddingResponseError } from './errors';

/** Options of {@link OpenAIEmbeddings}. */
export interface OpenAIEmbeddingsOptions {
  /** Base URL of the API, up to and including `/v1` (e.g. `https://api.openai.com/v1`, `http://localhost:8000/v1`). */
  baseURL: string;
  /** Model name sent as `model`. */
  model: string;
  /** Length of the vectors the model returns (checked on every response). */
  dimension: number;
  /** Sent as `Authorization: Bearer <apiKey>` when given. */
  apiKey?: string;
  /** Send `dimensions: dimension` in the request (for models that can shorten their vectors). Default false. */
  sendDimensions?: boolean;
  /** Whether the model's vectors have unit norm (default true, as OpenAI's). */
  normalized?: boolean;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Retries after the first attempt for 429, 5xx, network errors and timeouts (default 3). */
  maxRetries?: number;
  /** Timeout of one attempt in ms (default 30 000). */
  timeoutMs?: number;
  /** First backoff in ms (default 500), doubled per retry up to `maxBackoffMs` (default 8 000). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
}

const RETRYABLE = (status: number): boolean => status === 429 || status === 408 || status >= 500;

function positiveInt(field: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new EmbedderError(field, `must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

/** Sleeps `ms`, rejecting early when `signal` aborts. */
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

function decodeBase64Floats(s: string): Float32Array {
  const bin = atob(s);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const dv = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(i * 4, true);
  return out;
}

/**
 * Embeddings from an OpenAI-compatible endpoint.
 *
 * @example
 * ```ts
 * const embedder = new OpenAIEmbeddings({ baseURL: 'http://localhost:8000/v1', model: 'bge-m3', dimension: 1024 });
 * const store = new EmbeddedVectorStore(embedder);
 * ```
 */
export class OpenAIEmbeddings implements Embedder {
  readonly dimension: number;
  readonly normalized: boolean;
  readonly url: string;
  private readonly opts: Required<Omit<OpenAIEmbeddingsOptions, 'apiKey' | 'headers' | 'fetch'>> & Pick<OpenAIEmbeddingsOptions, 'apiKey' | 'headers'>;
  private readonly fetchImpl: typeof fetch;

  /** @throws {@link EmbedderError} naming a bad option */
  constructor(options: OpenAIEmbeddingsOptions) {
    if (options === null || typeof options !== 'object') throw new EmbedderError('options', 'must be an object');
    if (typeof options.baseURL !== 'string' || !/^https?:\/\//.test(options.baseURL)) throw new EmbedderError('options.baseURL', `must be an http(s) URL, got ${JSON.stringify(options.baseURL)}`);
    if (typeof options.model !== 'string' || options.model.length === 0) throw new EmbedderError('options.model', 'must be a non-empty string');
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new EmbedderError('options.fetch', 'no fetch available: pass one');
    this.dimension = positiveInt('options.dimension', options.dimension);
    this.normalized = options.normalized ?? true;
    this.url = `${options.baseURL.replace(/\/+$/, '')}/embeddings`;
    this.fetchImpl = fetchImpl;
    this.opts = {
      baseURL: options.baseURL,
      model: options.model,
      dimension: this.dimension,
      sendDimensions: options.sendDimensions ?? false,
      normalized: this.normalized,
      batchSize: positiveInt('options.batchSize', options.batchSize ?? 64),
      maxRetries: positiveInt('options.maxRetries', options.maxRetries ?? 3, 0),
      timeoutMs: positiveInt('options.timeoutMs', options.timeoutMs ?? 30_000),
      initialBackoffMs: positiveInt('options.initialBackoffMs', options.initialBackoffMs ?? 500, 0),
      maxBackoffMs: positiveInt('options.maxBackoffMs', options.maxBackoffMs ?? 8_000, 0),
      apiKey: options.apiKey,
      headers: options.headers,
    };
  }

  /**
   * Embeds texts, `batchSize` per request, in order.
   *
   * @throws {@link EmbedderError} for an empty or non-string text (naming its index) or a caller abort;
   *   {@link EmbeddingRequestError} when the endpoint keeps failing or answers a non-retryable status;
   *   {@link EmbeddingResponseError} for a malformed response
   */
  async embedDocuments(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    if (!Array.isArray(texts)) throw new EmbedderError('texts', 'must be an array of strings');
    texts.forEach((t, i) => {
      if (typeof t !== 'string') throw new EmbedderError(`texts[${i}]`, `must be a string, got ${typeof t}`);
      if (t.trim().length === 0) throw new EmbedderError(`texts[${i}]`, 'is empty (nothing to embed)');
    });
    const out: Float32Array[] = [];
    for (let s = 0; s < texts.length; s += this.opts.batchSize) out.push(...(await this.request(texts.slice(s, s + this.opts.batchSize), options.signal)));
    return out;
  }

  /** Embeds one query. @throws as {@link OpenAIEmbeddings.embedDocuments} */
  async embedQuery(text: string, options: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    if (typeof text !== 'string' || text.trim().length === 0) throw new EmbedderError('text', 'is empty (nothing to embed)');
    return (await this.embedDocuments([text], options))[0]!;
  }

  private async request(input: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const body = JSON.stringify({ model: this.opts.model, input, encoding_format: 'float', ...(this.opts.sendDimensions ? { dimensions: this.dimension } : {}) });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(this.opts.headers ?? {}) };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    let lastProblem = '';
    let lastStatus: number | undefined;
    let lastCause: unknown;
    for (let attempt = 1; attempt <= this.opts.maxRetries + 1; attempt++) {
      if (signal?.aborted) throw new EmbedderError('options.signal', 'aborted', { cause: signal.reason });
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.opts.timeoutMs);
      const onAbort = (): void => controller.abort(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      let retryAfterMs: number | undefined;
      try {
        const res = await this.fetchImpl(this.url, { method: 'POST', headers, body, signal: controller.signal });
        if (res.ok) {
          let json: unknown;
          try {
            json = await res.json();
          } catch (error) {
            throw new EmbeddingResponseError(this.url, 'body', `is not JSON (${(error as Error).message})`);
          }
          return this.parse(json, input.length);
        }
        const text = await res.text().catch(() => '');
        lastStatus = res.status;
        lastProblem = `the endpoint answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
        if (!RETRYABLE(res.status)) throw new EmbeddingRequestError(this.url, res.status, attempt, lastProblem);
        const ra = res.headers.get('retry-after');
        if (ra !== null && Number.isFinite(Number(ra))) retryAfterMs = Number(ra) * 1000;
      } catch (error) {
        if (error instanceof EmbeddingRequestError || error instanceof EmbeddingResponseError) throw error;
        if (signal?.aborted) throw new EmbedderError('options.signal', 'aborted', { cause: signal.reason });
        lastStatus = undefined;
        lastCause = error;
        lastProblem = timedOut ? `no answer within ${this.opts.timeoutMs} ms` : `request failed: ${(error as Error).message}`;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
      if (attempt <= this.opts.maxRetries) {
        const backoff = Math.min(this.opts.maxBackoffMs, this.opts.initialBackoffMs * 2 ** (attempt - 1));
        try {
          await sleep(Math.min(this.opts.maxBackoffMs, Math.max(backoff, retryAfterMs ?? 0)), signal);
        } catch (reason) {
          throw new EmbedderError('options.signal', 'aborted', { cause: reason });
        }
      }
    }
    throw new EmbeddingRequestError(this.url, lastStatus, this.opts.maxRetries + 1, lastProblem, lastCause === undefined ? undefined : { cause: lastCause });
  }

  private parse(json: unknown, n: number): Float32Array[] {
    const data = (json as { data?: unknown })?.data;
    if (!Array.isArray(data)) throw new EmbeddingResponseError(this.url, 'data', 'is missing or not an array');
    if (data.length !== n) throw new EmbeddingResponseError(this.url, 'data', `has ${data.length} embeddings for ${n} inputs`);
    const out = new Array<Float32Array | undefined>(n);
    data.forEach((item: unknown, i) => {
      const it = item as { index?: unknown; embedding?: unknown };
      const index = typeof it?.index === 'number' ? it.index : i;
      if (!Number.isInteger(index) || index < 0 || index >= n || out[index] !== undefined) throw new EmbeddingResponseError(this.url, `data[${i}].index`, `is invalid or repeated (${JSON.stringify(it?.index)})`);
      let v: Float32Array;
      if (typeof it.embedding === 'string') v = decodeBase64Floats(it.embedding);
      else if (Array.isArray(it.embedding) && it.embedding.every((x) => typeof x === 'number' && Number.isFinite(x))) v = Float32Array.from(it.embedding as number[]);
      else throw new EmbeddingResponseError(this.url, `data[${i}].embedding`, 'must be an array of finite numbers or a base64 string');
      if (v.length !== this.dimension) throw new EmbeddingResponseError(this.url, `data[${i}].embedding`, `has dimension ${v.length}, expected ${this.dimension}`);
      out[index] = v;
    });
    return out as Float32Array[];
  }
}
