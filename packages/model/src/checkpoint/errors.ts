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
  ) {
    super(`${file}${tensor !== undefined ? `: tensor '${tensor}'` : ''}: ${reason}`);
    this.name = 'CheckpointError';
  }
}
