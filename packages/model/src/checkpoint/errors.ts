/**
 * The error type of the checkpoint code.
 *
 * @packageDocumentation
 */
import { ModelError } from '../error';

/**
 * Thrown for an unreadable, inconsistent or incompatible checkpoint: a truncated file, a corrupt
 * safetensors header, a missing or unexpected tensor, a shape or dtype mismatch, a bad index.
 * `file` names the file (a path, or a label for in-memory buffers) and `tensor` the tensor when the
 * problem concerns one.
 */
export class CheckpointError extends ModelError {
  constructor(
    /** The file (path or label) the problem was found in. */
    readonly file: string,
    /** The tensor the problem concerns, when there is one. */
    readonly tensor: string | undefined,
    /** What is wrong, without the file and tensor (they are prefixed to `message`). */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${tensor !== undefined ? `: tensor '${tensor}'` : ''}: ${reason}`, options);
    this.name = 'CheckpointError';
  }
}

/**
 * Thrown by the crash-safe file and directory writers (`writeFileAtomic`, `replaceDirectory` of
 * `@quarkmed/model/node`) for bad arguments or a target that cannot be replaced. `path` names the file or
 * directory. File-system failures while writing are rethrown as they are, after cleaning up.
 */
export class AtomicWriteError extends ModelError {
  constructor(
    /** The file or directory the problem concerns. */
    readonly path: string,
    /** What is wrong, without the path (it is prefixed to `message`). */
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'AtomicWriteError';
  }
}
