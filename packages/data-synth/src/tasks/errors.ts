/**
 * The error of the instruction-task layer.
 *
 * @packageDocumentation
 */
import { DataSynthError } from '../error';

/** Thrown for unknown or duplicate task names, invalid generation options and malformed task inputs. */
export class TaskError extends DataSynthError {
  constructor(message: string) {
    super(message);
    this.name = 'TaskError';
  }
}
