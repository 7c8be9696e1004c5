/**
 * Errors of the vector stores. Every one leaves the store (in memory, on disk, in the database) as it was.
 *
 * @packageDocumentation
 */
import { RagError } from '../error';

/** A bad store argument or option: `field` names it (`documents[3].pageContent`, `k`, `options.ids[0]`). */
export class VectorStoreError extends RagError {
  readonly field: string;
  constructor(field: string, problem: string, options?: { cause?: unknown }) {
    super(`${field}: ${problem}`, options);
    this.field = field;
  }
}

/** A vector whose length is not the store's dimension. */
export class DimensionMismatchError extends VectorStoreError {
  readonly expected: number;
  readonly actual: number;
  constructor(field: string, expected: number, actual: number) {
    super(field, `has dimension ${actual}, the store's is ${expected}`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** A document with no text to embed. */
export class EmptyDocumentError extends VectorStoreError {
  constructor(field: string) {
    super(field, 'is empty (no text to embed)');
  }
}


/** A persisted index that cannot be read back: `file` names it (a path, a URL, `buffer`), the message says where. */
export class IndexCorruptError extends RagError {
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.file = file;
  }
}
