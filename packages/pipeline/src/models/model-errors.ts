/**
 * Errors of the evaluation models.
 *
 * @packageDocumentation
 */
import { PipelineError } from '../error';

/** Base class of the evaluation models' errors. */
export class EvalModelError extends PipelineError {}

/** A bad model option; `option` names it (`baseUrl`, `concurrency`, `apiKeyEnv`, ...). */
export class EvalModelConfigError extends EvalModelError {
  constructor(
    readonly option: string,
    readonly problem: string,
  ) {
    super(`${option}: ${problem}`);
  }
}

/** The endpoint answered with an error status that is not retried (4xx but 408/429), or retries ran out. */
export class EvalModelHttpError extends EvalModelError {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: string,
    readonly attempts: number,
  ) {
    super(`${url}: HTTP ${status} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${body.slice(0, 300)}`);
  }
}

/** A request failed at the network level (or timed out) on every attempt. */
export class EvalModelRequestError extends EvalModelError {
  constructor(
    readonly url: string,
    readonly attempts: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${url}: request failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}`, options);
  }
}

/** The endpoint's reply is not a completion the client understands (names what is missing). */
export class EvalModelResponseError extends EvalModelError {
  constructor(
    readonly url: string,
    readonly problem: string,
  ) {
    super(`${url}: unexpected response: ${problem}`);
  }
}

/** The caller aborted the generation. */
export class EvalModelAbortError extends EvalModelError {
  constructor(readonly modelId: string) {
    super(`${modelId}: generation aborted`);
  }
}
