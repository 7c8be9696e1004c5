/** Errors for bad arguments and options of the text and ranking half of `@quarkmed/rag`. */
import { RagError } from '../error';

/**
 * A bad argument or option: `field` names it (`k`, `options.weights.sparse`, `documents[3].pageContent`) and the
 * message says what is wrong with it.
 */
export class RagArgumentError extends RagError {
  /** The argument or option key at fault. */
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}
