/**
 * The errors of the browser example. Every error the app raises is an {@link BrowserExampleError}; the subclasses
 * name what went wrong (the URL and HTTP status of a failed download, the file and field of a bad manifest, the
 * token budget a prompt does not fit).
 *
 * @packageDocumentation
 */

/** Base class of every error of the browser example. (Names are literal: minified builds rename classes.) */
export class BrowserExampleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BrowserExampleError';
  }
}

/** A file of the app could not be downloaded: names the URL and the HTTP status (0 for a network error). */
export class AssetFetchError extends BrowserExampleError {
  constructor(
    readonly url: string,
    readonly status: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${url}: ${detail}`, options);
    this.name = 'AssetFetchError';
  }
}

/** A JSON file the app reads (the model manifest, the corpus) is malformed: names the file and the field. */
export class AssetFormatError extends BrowserExampleError {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field}: ${detail}`);
    this.name = 'AssetFormatError';
  }
}

/** The question and even one retrieved passage do not fit the model's context with room for the answer. */
export class PromptBudgetError extends BrowserExampleError {
  constructor(
    readonly promptTokens: number,
    readonly maxNewTokens: number,
    readonly maxSeqLen: number,
  ) {
    super(
      `the prompt with one passage is ${promptTokens} tokens; with ${maxNewTokens} new tokens it exceeds the model's context of ${maxSeqLen} tokens (ask a shorter question or lower the answer length)`,
    );
    this.name = 'PromptBudgetError';
  }
}

/** `prepare-model`: a recipe run directory holds no usable checkpoint; names the directory and the problem. */
export class RunDirectoryError extends BrowserExampleError {
  constructor(
    readonly runDir: string,
    detail: string,
  ) {
    super(`${runDir}: ${detail}`);
    this.name = 'RunDirectoryError';
  }
}
