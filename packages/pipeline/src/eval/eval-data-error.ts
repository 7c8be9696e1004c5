/**
 * The error of a benchmark file that does not hold what its format allows.
 *
 * @packageDocumentation
 */
import { PipelineError } from '../error';

/**
 * A malformed benchmark file or record. `file` and `line` locate it (line 1-based; 0 when the problem concerns the
 * whole file), `field` names the offending field when there is one; the message starts with `file:line:`.
 */
export class EvalDataError extends PipelineError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}:${line}: ${field !== undefined ? `field ${JSON.stringify(field)}: ` : ''}${problem}`, options);
  }
}
