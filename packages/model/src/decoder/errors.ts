/**
 * Errors raised by the decoder for bad inputs.
 *
 * @packageDocumentation
 */
import { ModelError } from '../error';

/**
 * Thrown by {@link LlamaModel} methods for an invalid argument (wrong dtype, rank or shape, token ids outside
 * the vocabulary, sequences longer than `maxSeqLen`, a cache of the wrong batch size). `argument` names the
 * offending argument, e.g. `inputIds` or `options.attentionMask`.
 */
export class ModelInputError extends ModelError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
    this.name = 'ModelInputError';
  }
}

/** `[2, 3]` → `"[2, 3]"`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
