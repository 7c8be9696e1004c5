/**
 * Errors raised while selecting and starting a TensorFlow.js backend.
 *
 * @packageDocumentation
 */
import { TensorKernelsError } from '../error';

/**
 * Thrown by {@link initBackend} when the requested backend cannot start in this environment: its package
 * is not installed, there is no (acceptable) GPU adapter, the device could not be created, …
 *
 * `backend` names the backend (`'webgpu'`, `'tensorflow'`, …) and `reason` says why, in words that tell
 * the user what to do (for example "install @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node").
 * The underlying error, when there is one, is kept as `cause`.
 */
export class BackendUnavailableError extends TensorKernelsError {
  /** The backend that could not be started. */
  readonly backend: string;
  /** Why it could not be started. */
  readonly reason: string;

  /**
   * @param backend - the backend that could not be started
   * @param reason - why, in words that tell the user what to do
   * @param options - `cause`: the underlying error, if any
   */
  constructor(backend: string, reason: string, options?: { cause?: unknown }) {
    super(`Backend '${backend}' is unavailable: ${reason}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BackendUnavailableError';
    this.backend = backend;
    this.reason = reason;
  }
}

/** The message of an unknown thrown value, for building reasons. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.message;
  return String(error);
}
