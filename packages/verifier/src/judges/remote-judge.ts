/**
 * A judge over any OpenAI-compatible endpoint (`POST {baseUrl}/chat/completions`), prompted with the
 * question, the reference and the answer; the verdict is parsed from the reply. Results are cached by
 * their inputs; each request has a timeout (AbortSignal); failures are typed errors.
 *
 * @packageDocumentation
 */
import { VerifierError } from '../error';
import type { Verdict, VerificationResult, Verifier, VerifyContext } from '../types';

/** Base class of remote judge errors. */
export class RemoteJudgeError extends VerifierError {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteJudgeError';
  }
}
/** Invalid options of {@link RemoteJudge} (names the option). */
export class RemoteJudgeConfigError extends RemoteJudgeError {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteJudgeConfigError';
  }
}

/** The request took longer than `timeoutMs` (or the caller's signal aborted it). */
export class RemoteJudgeTimeoutError extends RemoteJudgeError {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteJudgeTimeoutError';
  }
}
/** The endpoint answered with a non-2xx status. */
export class RemoteJudgeHttpError extends RemoteJudgeError {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
    this.name = 'RemoteJudgeHttpError';
  }
}
/** The reply was not a chat completion or held no recognisable verdict. */
export class RemoteJudgeParseError extends RemoteJudgeError {
  constructor(
    message: string,
    readonly reply: string,
  ) {
    super(message);
    this.name = 'RemoteJudgeParseError';
  }
}

/** Options of {@link RemoteJudge}. */
export interface RemoteJudgeOptions {
  /** e.g. "http://localhost:8000/v1" (the path `/chat/completions` is appended). */
  baseUrl: string;
  /** The model name sent in the request. */
  model: string;
  /** Sent as `Authorization: Bearer <apiKey>` when given. */
  apiKey?: string;
  /** Per-request timeout in ms (default 30000). */
  timeoutMs?: number;
  /** Maximum cached results (default 10000; 0 disables the cache). Oldest entries are evicted first. */
  cacheSize?: number;
  /** The system prompt (default {@link DEFAULT_JUDGE_SYSTEM_PROMPT}). */
  systemPrompt?: string;
  /** Replaces global fetch (tests, proxies). */
  fetch?: typeof fetch;
  /** Sampling temperature (default 0). */
  temperature?: number;
  /** Max tokens of the reply (default 256). */
  maxTokens?: number;
}

/** The inputs of one judgement. */
export interface JudgeInput {
  question?: string;
  reference: string;
  answer: string;
}

/** A parsed judgement. */
export interface RemoteJudgement {
  verdict: Extract<Verdict, 'correct' | 'partial' | 'incorrect'>;
  reward: number;
  /** The model's raw reply. */
  reply: string;
  /** Whether it came from the cache. */
  cached: boolean;
}

/** The default system prompt. */
export const DEFAULT_JUDGE_SYSTEM_PROMPT =
  'You are a strict medical grader. Decide whether the candidate answer means the same as the reference answer ' +
  '(synonyms, abbreviations, other languages and more specific forms of the reference count as the same). ' +
  'Reply with JSON only: {"verdict": "correct" | "partial" | "incorrect", "reason": "<one sentence>"}.';

/** Renders the user message of a judgement. */
export function renderJudgePrompt(input: JudgeInput): string {
  return [
    input.question ? `Question:\n${input.question}` : undefined,
    `Reference answer:\n${input.reference}`,
    `Candidate answer:\n${input.answer}`,
    'Is the candidate answer correct? Reply with the JSON verdict.',
  ]
    .filter(Boolean)
    .join('\n\n');
}

const REWARD = { correct: 1, partial: 0.5, incorrect: 0 } as const;

/**
 * The verdict in a judge model's reply: a JSON object's `verdict` (also inside a code fence or after
 * reasoning), else the last of the words correct / partial / incorrect (also CORRECT, "Verdict: correct",
 * 正确 / 部分正确 / 错误); `<think>` blocks ignored.
 *
 * @throws {@link RemoteJudgeParseError} when no verdict is found
 */
export function parseJudgeVerdict(reply: string): RemoteJudgement['verdict'] {
  const text = reply.replace(/<think>[\s\S]*?(?:<\/think>|$)/gi, '');
  const jsonMatches = [...text.matchAll(/\{[^{}]*"verdict"\s*:\s*"([^"]*)"[^{}]*\}/gi)];
  const last = jsonMatches[jsonMatches.length - 1];
  if (last) {
    const v = last[1]!.trim().toLowerCase();
    if (v === 'correct' || v === 'partial' || v === 'incorrect') return v;
  }
  const words = [...text.matchAll(/\b(incorrect|not correct|partially correct|partial|correct|wrong)\b|(部分正确|不正确|错误|正确)/gi)];
  const w = words[words.length - 1];
  if (w) {
    const s = (w[1] ?? w[2] ?? '').toLowerCase();
    if (s === 'incorrect' || s === 'not correct' || s === 'wrong' || s === '不正确' || s === '错误') return 'incorrect';
    if (s.startsWith('partial') || s === '部分正确') return 'partial';
    return 'correct';
  }
  throw new RemoteJudgeParseError(`reply holds no verdict (expected {"verdict": "correct"|"partial"|"incorrect"}): ${JSON.stringify(reply.slice(0, 200))}`, reply);
}

/**
 * The remote judge. `judge()` returns a {@link RemoteJudgement}; `verify(completion, reference)` wraps it as
 * a {@link VerificationResult} with source 'model' (errors are thrown, not turned into rewards).
 */
export class RemoteJudge implements Verifier<string | JudgeInput> {
  readonly name = 'remote-judge';
  private readonly cache = new Map<string, { verdict: RemoteJudgement['verdict']; reply: string }>();
  private readonly inflight = new Map<string, Promise<{ verdict: RemoteJudgement['verdict']; reply: string }>>();
  private readonly opts: Required<Omit<RemoteJudgeOptions, 'apiKey' | 'fetch'>> & Pick<RemoteJudgeOptions, 'apiKey' | 'fetch'>;
  /** Number of HTTP requests sent (cache misses). */
  requests = 0;

  /** @throws {@link RemoteJudgeConfigError} for a missing baseUrl/model, a bad timeout or cache size */
  constructor(options: RemoteJudgeOptions) {
    if (typeof options?.baseUrl !== 'string' || options.baseUrl === '') throw new RemoteJudgeConfigError(`options.baseUrl must be a non-empty string, got ${JSON.stringify(options?.baseUrl)}`);
    if (typeof options.model !== 'string' || options.model === '') throw new RemoteJudgeConfigError(`options.model must be a non-empty string, got ${JSON.stringify(options.model)}`);
    this.opts = {
      timeoutMs: 30_000,
      cacheSize: 10_000,
      systemPrompt: DEFAULT_JUDGE_SYSTEM_PROMPT,
      temperature: 0,
      maxTokens: 256,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
    };
    if (!(this.opts.timeoutMs > 0)) throw new RemoteJudgeConfigError(`options.timeoutMs must be > 0, got ${this.opts.timeoutMs}`);
    if (!Number.isInteger(this.opts.cacheSize) || this.opts.cacheSize < 0) throw new RemoteJudgeConfigError(`options.cacheSize must be an integer >= 0, got ${this.opts.cacheSize}`);
  }

  /**
   * Judges one answer.
   *
   * @param input - question (optional), reference and answer
   * @param signal - aborts the request (reported as {@link RemoteJudgeTimeoutError})
   * @throws {@link RemoteJudgeTimeoutError}, {@link RemoteJudgeHttpError}, {@link RemoteJudgeParseError},
   *   {@link RemoteJudgeError} (network failure)
   */
  async judge(input: JudgeInput, signal?: AbortSignal): Promise<RemoteJudgement> {
    const key = JSON.stringify([this.opts.model, this.opts.systemPrompt, input.question ?? '', input.reference, input.answer]);
    const hit = this.cache.get(key);
    if (hit) return { ...hit, reward: REWARD[hit.verdict], cached: true };
    let p = this.inflight.get(key);
    if (!p) {
      p = this.request(input, signal).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    const r = await p;
    if (this.opts.cacheSize > 0) {
      if (this.cache.size >= this.opts.cacheSize) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, r);
    }
    return { ...r, reward: REWARD[r.verdict], cached: false };
  }

  /** Empties the cache. */
  clearCache(): void {
    this.cache.clear();
  }

  private async request(input: JudgeInput, signal?: AbortSignal): Promise<{ verdict: RemoteJudgement['verdict']; reply: string }> {
    this.requests++;
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const sig = signal ? AbortSignal.any([timeout, signal]) : timeout;
    const url = `${this.opts.baseUrl}/chat/completions`;
    const body = JSON.stringify({
      model: this.opts.model,
      temperature: this.opts.temperature,
      max_tokens: this.opts.maxTokens,
      messages: [
        { role: 'system', content: this.opts.systemPrompt },
        { role: 'user', content: renderJudgePrompt(input) },
      ],
    });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    let text: string;
    let status: number;
    try {
      const res = await (this.opts.fetch ?? fetch)(url, { method: 'POST', headers, body, signal: sig });
      status = res.status;
      text = await res.text();
    } catch (e) {
      if (sig.aborted) {
        throw new RemoteJudgeTimeoutError(
          timeout.aborted ? `POST ${url} timed out after ${this.opts.timeoutMs} ms` : `POST ${url} aborted by the caller's signal`,
        );
      }
      throw new RemoteJudgeError(`POST ${url} failed: ${(e as Error).message}`);
    }
    if (status < 200 || status >= 300) throw new RemoteJudgeHttpError(`POST ${url} answered HTTP ${status}: ${text.slice(0, 200)}`, status, text);
    let content: unknown;
    try {
      content = (JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
    } catch {
      throw new RemoteJudgeParseError(`POST ${url}: the body is not JSON: ${JSON.stringify(text.slice(0, 200))}`, text);
    }
    if (typeof content !== 'string') throw new RemoteJudgeParseError(`POST ${url}: no choices[0].message.content string in the reply`, text);
    return { verdict: parseJudgeVerdict(content), reply: content };
  }

  /**
   * @param completion - the candidate answer (whole completion)
   * @param reference - the reference answer, or the full {@link JudgeInput} without `answer`
   * @param context - the prompt: the question shown to the judge when the reference does not carry one
   */
  async verify(completion: string, reference: string | JudgeInput, context?: VerifyContext): Promise<VerificationResult> {
    const input: JudgeInput = typeof reference === 'string' ? { reference, answer: completion } : { ...reference, answer: completion };
    if (input.question === undefined && typeof context?.prompt === 'string') input.question = context.prompt;
    const j = await this.judge(input);
    return {
      reward: j.reward,
      verdict: j.verdict,
      evidence: `remote judge ${this.opts.model}: ${j.reply.slice(0, 300)}`,
      source: 'model',
      details: { cached: j.cached, reply: j.reply },
    };
  }
}
