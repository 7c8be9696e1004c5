/**
 * The one error class of the ablations example: a bad command line, or results that do not fit together (names the
 * experiment and the file or value).
 *
 * @packageDocumentation
 */

/** Every error of the ablations example. */
export class AblationError extends Error {
  constructor(
    /** The experiment (or `cli` for the command line). */
    readonly experiment: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${experiment}: ${message}`, options);
    this.name = 'AblationError';
  }
}
