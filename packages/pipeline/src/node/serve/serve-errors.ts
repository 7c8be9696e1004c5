/**
 * Errors of `quarkmed serve`: bad server options, and the API errors a request gets (in OpenAI's error shape).
 *
 * @packageDocumentation
 */
import { PipelineError } from '../../error';

/** A bad server or chat option; `field` names the option key (e.g. `maxConcurrent`, `--port`). */
export class ServeOptionError extends PipelineError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`option ${field} ${problem}`);
  }
}

/** A checkpoint and tokenizer that do not belong together (e.g. more token ids than the model's vocabulary). */
export class LocalModelError extends PipelineError {}

/** OpenAI's error `type`s that this server sends. */
export type OpenAIErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';

/** The JSON body of an error response, exactly OpenAI's shape. */
export interface OpenAIErrorBody {
  error: { message: string; type: OpenAIErrorType; param: string | null; code: string | null };
}

/**
 * A request the server refuses: an HTTP status and OpenAI's `{error: {message, type, param, code}}`; `param` names the
 * request field at fault (e.g. `messages[0].content`, `max_tokens`) where there is one.
 */
export class OpenAIApiError extends PipelineError {
  constructor(
    readonly status: 400 | 401 | 404 | 405 | 413 | 415 | 429 | 500 | 503,
    message: string,
    readonly type: OpenAIErrorType,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }

  /** The response body. */
  toBody(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** The OpenAI-shaped body of any error: an {@link OpenAIApiError}'s own, else a 500 `server_error` with its message. */
export function errorBodyOf(error: unknown): OpenAIErrorBody {
  if (error instanceof OpenAIApiError) return error.toBody();
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { error: { message, type: 'server_error', param: null, code: null } };
}
