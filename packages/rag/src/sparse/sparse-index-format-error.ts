import { RagError } from '../error';

/** Bytes given to `Bm25Index.fromBytes` are not a sparse index (bad magic, version, length, checksum or content). */
export class SparseIndexFormatError extends RagError {
  constructor(problem: string, options?: { cause?: unknown }) {
    super(`sparse index bytes: ${problem}`, options);
  }
}
