/**
 * The one error class of the Node examples: a bad command line (names the option) or a run that could not start.
 *
 * @packageDocumentation
 */

/** Every error of the Node examples. `option` names the command-line option or config key at fault, if one is. */
export class ExampleError extends Error {
  constructor(
    message: string,
    readonly option?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExampleError';
  }
}

/** A command-line error: printed as one line with the usage, exit status 2. */
export class ExampleUsageError extends ExampleError {
  constructor(option: string, message: string) {
    super(`${option}: ${message}`, option);
    this.name = 'ExampleUsageError';
  }
}
