/**
 * Errors of the curation layer.
 *
 * @packageDocumentation
 */
import { DataSynthError } from '../error';

/** Thrown when a document or text given to a curation function is malformed (names its index and field). */
export class CurateInputError extends DataSynthError {
  override name = 'CurateInputError';
}

/** Thrown for an invalid curation parameter (shingle length, number of permutations, threshold, n-gram size). */
export class CurateOptionsError extends DataSynthError {
  override name = 'CurateOptionsError';
}
