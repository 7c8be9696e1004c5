import { PipelineError } from '../error';
import type { StageName } from '../config/stage-names';

/** A stage cannot run or failed: names the stage and, where it applies, the config key or file. */
export class StageError extends PipelineError {
  constructor(
    readonly stage: StageName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`stage ${stage}: ${message}`, options);
  }
}
