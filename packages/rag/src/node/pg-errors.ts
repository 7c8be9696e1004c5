/**
 * Errors of the PostgreSQL store.
 *
 * @packageDocumentation
 */
import { RagError } from '../error';

/** The database could not be reached or refused the connection: `target` is `host:port/database` (no password). */
export class DatabaseConnectionError extends RagError {
  readonly target: string;
  constructor(target: string, problem: string, options?: { cause?: unknown }) {
    super(`${target}: cannot connect: ${problem}`, options);
    this.target = target;
  }
}

/** A statement failed: `operation` names what the store was doing, `sqlState` is the server's SQLSTATE code. */
export class DatabaseQueryError extends RagError {
  readonly operation: string;
  readonly sqlState: string | undefined;
  constructor(operation: string, problem: string, sqlState: string | undefined, options?: { cause?: unknown }) {
    super(`${operation}: ${problem}${sqlState ? ` (SQLSTATE ${sqlState})` : ''}`, options);
    this.operation = operation;
    this.sqlState = sqlState;
  }
}
