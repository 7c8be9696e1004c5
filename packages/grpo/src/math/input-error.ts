/**
 * The error of a malformed input to the GRPO / DPO math (shapes, missing tensors, non-finite rewards).
 *
 * @packageDocumentation
 */
import { GrpoError } from '../error';

/** An input to a loss or advantage function is malformed; the message names the input, e.g. `grpo input.mask: ...`. */
export class GrpoInputError extends GrpoError {
  /** Name of the offending input (e.g. `mask`, `rewardsPerFunc.3.1`). */
  readonly input: string;

  constructor(input: string, problem: string) {
    super(`grpo input.${input}: ${problem}`);
    this.input = input;
  }
}
