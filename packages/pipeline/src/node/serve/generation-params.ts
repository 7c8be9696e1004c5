/**
 * OpenAI sampling fields → the settings of one engine run, with the server's limits applied.
 *
 * @packageDocumentation
 */
import type { EngineRun } from './local-engine';
import { OpenAIApiError } from './serve-errors';

/** The sampling fields shared by both endpoints (already validated by the request schemas). */
export interface SamplingFields {
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
}

/** The server limits that bound a request. */
export interface GenerationLimits {
  maxTokens: number;
  maxChoices: number;
  maxSeqLen: number;
  defaultSeed: number;
}

/**
 * Resolves the run settings of a request whose longest prompt has `longestPrompt` tokens (`promptParam` names the
 * prompt field in errors).
 *
 * - `max_tokens` (or `max_completion_tokens`) above the server's cap → 400 naming it; absent → the cap or the room
 *   left in the context window, whichever is smaller.
 * - prompt + `max_tokens` beyond the context window → 400 `context_length_exceeded`.
 * - `n` above the server's `maxChoices` → 400. `temperature` defaults to 1 and `top_p` to 1 (OpenAI's defaults),
 *   `seed` to the server's default seed.
 */
export function resolveRun(fields: SamplingFields, longestPrompt: number, limits: GenerationLimits, stopIds: readonly number[], promptParam: 'messages' | 'prompt'): Omit<EngineRun, 'prompts' | 'signal'> & { n: number } {
  const n = fields.n ?? 1;
  if (n > limits.maxChoices) {
    throw new OpenAIApiError(400, `Invalid value for 'n': ${n} exceeds this server's limit of ${limits.maxChoices} choices.`, 'invalid_request_error', 'n', 'invalid_value');
  }
  const param = fields.max_completion_tokens !== undefined && fields.max_completion_tokens !== null ? 'max_completion_tokens' : 'max_tokens';
  const requested = fields.max_completion_tokens ?? fields.max_tokens ?? undefined;
  if (requested !== undefined && requested > limits.maxTokens) {
    throw new OpenAIApiError(400, `Invalid value for '${param}': ${requested} exceeds this server's limit of ${limits.maxTokens} tokens.`, 'invalid_request_error', param, 'invalid_value');
  }
  const room = limits.maxSeqLen - longestPrompt;
  const maxNewTokens = requested ?? Math.min(limits.maxTokens, room);
  if (maxNewTokens < 1 || longestPrompt + maxNewTokens > limits.maxSeqLen) {
    throw new OpenAIApiError(
      400,
      `This model's maximum context length is ${limits.maxSeqLen} tokens. However, you requested ${longestPrompt + Math.max(maxNewTokens, 1)} tokens (${longestPrompt} in the prompt, ${Math.max(maxNewTokens, 1)} for the completion). Please reduce the prompt or ${param}.`,
      'invalid_request_error',
      requested !== undefined && longestPrompt < limits.maxSeqLen ? param : promptParam,
      'context_length_exceeded',
    );
  }
  const stop = fields.stop ?? undefined;
  return {
    n,
    maxNewTokens,
    temperature: fields.temperature ?? 1,
    ...(fields.top_p !== undefined && fields.top_p !== null ? { topP: fields.top_p } : {}),
    stopSequences: stop === undefined ? [] : typeof stop === 'string' ? [stop] : stop,
    stopIds,
    seed: fields.seed ?? limits.defaultSeed,
  };
}
