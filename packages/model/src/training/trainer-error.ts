/**
 * The error of the training loop.
 *
 * @packageDocumentation
 */
import { ModelError } from '../error';

/** Thrown for invalid trainer options or data, or an inconsistent saved state (names the field). */
export class TrainerError extends ModelError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`Trainer ${field}: ${message}`);
    this.name = 'TrainerError';
  }
}
