/**
 * The model interface of the evaluation harness: anything that turns a prompt (text or chat messages) into text,
 * honouring an AbortSignal. `LocalModel` (a `@quarkmed/model` checkpoint) and `OpenAICompatibleModel` (any
 * OpenAI-compatible endpoint: vLLM, a hosted API, `quarkmed serve`) implement it, so the same harness, verifier and
 * retrieval evaluate either.
 *
 * @packageDocumentation
 */

/** One chat turn. */
export interface EvalMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A prompt: plain text, or chat messages. */
export type EvalPrompt = string | readonly EvalMessage[];

/** Generation parameters (what a predictions file records and an answer cache keys on). */
export interface GenerationParams {
  /** Most new tokens (default: the model's own default). */
  maxTokens?: number;
  /** 0 is greedy (the harness default). */
  temperature?: number;
  topP?: number;
  /** Seed of sampling, where the model supports one. */
  seed?: number;
  /** Strings that end the answer. */
  stop?: readonly string[];
}

/** Options of {@link EvalModel.generate}. */
export interface EvalGenerateOptions extends GenerationParams {
  /** Aborts the generation (the promise rejects). */
  signal?: AbortSignal;
}

/** Options of {@link EvalModel.scoreContinuations}. */
export interface EvalScoreOptions {
  /** Aborts the scoring (the promise rejects). */
  signal?: AbortSignal;
}

/** The log-likelihood of one continuation after a prompt. */
export interface ContinuationScore {
  /** `sum_i log p(c_i | prompt, c_<i)` over the continuation's tokens (natural log). */
  logProb: number;
  /** Tokens of the continuation. */
  tokens: number;
  /** UTF-8 bytes of the continuation (the length `acc_norm` divides by). */
  bytes: number;
}

/** A model the harness can evaluate. */
export interface EvalModel {
  /** Identifies the model in predictions files and caches (a checkpoint path, `name@baseUrl`, ...). */
  readonly id: string;
  /**
   * The model's answer to `prompt`.
   *
   * @throws an error extending `PipelineError` when generation fails or is aborted.
   */
  generate(prompt: EvalPrompt, options?: EvalGenerateOptions): Promise<string>;
  /**
   * Optional: the log-likelihood of each continuation right after the rendered prompt (the text the model would
   * be asked to continue in {@link EvalModel.generate}), for the harness's `scoring: 'likelihood'`. Models that
   * cannot see their own log-probabilities (e.g. `OpenAICompatibleModel`) leave it out.
   *
   * @returns one score per continuation, in order.
   * @throws an error extending `PipelineError` when scoring fails or is aborted.
   */
  scoreContinuations?(prompt: EvalPrompt, continuations: readonly string[], options?: EvalScoreOptions): Promise<ContinuationScore[]>;
}

/** The messages of a prompt (a string becomes one user turn). */
export function toMessages(prompt: EvalPrompt): EvalMessage[] {
  return typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt.map((m) => ({ role: m.role, content: m.content }));
}

/** The parameters of generation options (without the signal; undefined fields left out), e.g. for cache keys. */
export function generationParams(options: EvalGenerateOptions = {}): GenerationParams {
  const out: GenerationParams = {};
  if (options.maxTokens !== undefined) out.maxTokens = options.maxTokens;
  if (options.temperature !== undefined) out.temperature = options.temperature;
  if (options.topP !== undefined) out.topP = options.topP;
  if (options.seed !== undefined) out.seed = options.seed;
  if (options.stop !== undefined) out.stop = [...options.stop];
  return out;
}
