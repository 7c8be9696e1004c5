/**
 * The error of a bad option given to the evaluation harness (a loader, the harness, a model, the CLI).
 *
 * @packageDocumentation
 */
import { PipelineError } from '../error';

/** A bad option or argument; `option` names it (`limit`, `concurrency`, `benchmark`, `options.judge`, ...). */
export class EvalOptionError extends PipelineError {
  constructor(
    readonly option: string,
    readonly problem: string,
  ) {
    super(`${option}: ${problem}`);
  }
}
