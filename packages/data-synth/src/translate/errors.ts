/**
 * Errors of the translation layer besides the template bank's `TemplateError`.
 *
 * @packageDocumentation
 */
import { DataSynthError } from '../error';

/** Thrown for invalid translation options (language, seed, section size) or a generator that is not a function. */
export class TranslateOptionsError extends DataSynthError {
  override name = 'TranslateOptionsError';
}
