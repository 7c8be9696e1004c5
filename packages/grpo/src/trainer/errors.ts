/**
 * Errors of the GRPO and DPO trainers. Each names the option, field or row that is wrong.
 *
 * @packageDocumentation
 */
import { GrpoError } from '../error';

/** Thrown for an invalid trainer option or input (the message starts with the option's path). */
export class GrpoTrainerError extends GrpoError {
  /** The option or input the problem is in, e.g. `options.rewardFuncs[1]`. */
  readonly field: string;

  constructor(field: string, problem: string, options?: { cause?: unknown }) {
    super(`${field}: ${problem}`, options);
    this.field = field;
  }
}

/** Thrown when a reward function fails or returns something other than one `number | null` per completion. */
export class RewardFunctionError extends GrpoError {
  /** The reward function's name. */
  readonly rewardFunction: string;

  constructor(rewardFunction: string, problem: string, options?: { cause?: unknown }) {
    super(`reward function ${JSON.stringify(rewardFunction)}: ${problem}`, options);
    this.rewardFunction = rewardFunction;
  }
}
