/**
 * The error of an invalid GRPO or DPO configuration.
 *
 * @packageDocumentation
 */
import { GrpoError } from '../error';

/**
 * A configuration value is invalid. The message names the config and the field, e.g.
 * `grpo config.epsilonHigh: must be >= epsilon (0.2), got 0.1`; {@link GrpoConfigError.field} holds the field's
 * dotted path (`rewardWeights.1` for an element).
 */
export class GrpoConfigError extends GrpoError {
  /** Dotted path of the offending field, e.g. `epsilonHigh` or `rewardWeights.1`. */
  readonly field: string;

  /**
   * @param config - which config: `grpo config` or `dpo config`
   * @param field - the field's dotted path
   * @param problem - what is wrong with it
   */
  constructor(config: string, field: string, problem: string) {
    super(`${config}.${field}: ${problem}`);
    this.field = field;
  }
}
