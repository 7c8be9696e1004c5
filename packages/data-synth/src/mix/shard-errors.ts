/**
 * Errors of the sharded JSONL writer and reader.
 *
 * @packageDocumentation
 */
import { DataSynthError } from '../error';

/** Thrown for invalid writer options, a record that cannot be serialised, or a write that fails (naming the file). */
export class ShardWriteError extends DataSynthError {
  override name = 'ShardWriteError';
}

/** Thrown by the reader when a shard or the manifest does not match. */
export class ShardIntegrityError extends DataSynthError {
  override name = 'ShardIntegrityError';
  /** @param message - what is wrong. @param file - the file concerned. */
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}
