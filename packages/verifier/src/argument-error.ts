/**
 * The error of a bad reference or option handed to a verifier.
 *
 * @packageDocumentation
 */
import { VerifierError } from './error';

/**
 * A reference or option passed to a verifier is invalid (a gold answer that is no option letter, a negative
 * tolerance, an unknown mode). `field` names it (`answer`, `tolerance`, `options.system`, …) and the message
 * starts with it.
 */
export class VerifierArgumentError extends VerifierError {
  /** The field of the reference or options at fault (`answer`, `value`, `options.narrowerCredit`, …). */
  readonly field: string;

  /**
   * @param field - the reference field or option at fault
   * @param problem - what is wrong with it (the message is `${field}: ${problem}`)
   */
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

/**
 * Checks that a reference (or options) argument is an object.
 *
 * @param value - the argument
 * @param field - its name in the message (`ref`, `spec`, `options`)
 * @param what - what it should be ("a numeric reference")
 * @throws {@link VerifierArgumentError} when `value` is null, an array or not an object
 */
export function expectObject(value: unknown, field: string, what: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new VerifierArgumentError(field, `expected ${what} object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
}
