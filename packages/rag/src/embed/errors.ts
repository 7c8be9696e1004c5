/**
 * Errors of the embedders: a bad option or input, a checkpoint that cannot be loaded, an endpoint that fails.
 *
 * @packageDocumentation
 */
import { RagError } from '../error';

/** A bad embedder option or input: `field` names it (`texts[2]`, `options.batchSize`, `config.json:maxLength`). */
export class EmbedderError extends RagError {
  /** The option, input or file field at fault. */
  readonly field: string;
  constructor(field: string, problem: string, options?: { cause?: unknown }) {
    super(`${field}: ${problem}`, options);
    this.field = field;
  }
}

/**
 * A request to an embeddings endpoint failed: `status` is the HTTP status (undefined for a network error or a
 * timeout), `attempts` how many tries were made, `url` the endpoint.
 */
export class EmbeddingRequestError extends RagError {
  readonly url: string;
  readonly status: number | undefined;
  readonly attempts: number;
  constructor(url: string, status: number | undefined, attempts: number, problem: string, options?: { cause?: unknown }) {
    super(`${url}: ${problem}${status !== undefined ? ` (HTTP ${status})` : ''} after ${attempts} attempt${attempts === 1 ? '' : 's'}`, options);
    this.url = url;
    this.status = status;
    this.attempts = attempts;
  }
}

/** An embeddings endpoint answered, but not with what the OpenAI API specifies (`field` names what is wrong). */
export class EmbeddingResponseError extends RagError {
  readonly url: string;
  readonly field: string;
  constructor(url: string, field: string, problem: string) {
    super(`${url}: response ${field}: ${problem}`);
    this.url = url;
    this.field = field;
  }
}
