/**
 * The plain JavaScript `cpu` backend of TensorFlow.js.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, errorMessage } from './errors';

interface CpuBackendLike {
  firstUse?: boolean;
}

/**
 * Turns off the "Hi, looks like you are running TensorFlow.js in Node.js" banner of the `cpu` backend
 * without touching global tfjs flags: the banner is printed on the backend instance's first write, so
 * marking an existing instance as already used is enough. Does nothing when no cpu backend instance
 * exists yet.
 */
export function silenceCpuBanner(): void {
  const instance = tf.engine().registry['cpu'] as CpuBackendLike | undefined;
  if (instance !== undefined && typeof instance.firstUse === 'boolean') instance.firstUse = false;
}

/**
 * Loads `@tensorflow/tfjs-backend-cpu`, makes `cpu` the active backend and silences its Node.js banner.
 *
 * @throws {@link BackendUnavailableError} when the backend cannot be set.
 */
export async function initCpuBackend(): Promise<void> {
  try {
    await import('@tensorflow/tfjs-backend-cpu');
  } catch (error) {
    throw new BackendUnavailableError('cpu', `@tensorflow/tfjs-backend-cpu could not be loaded (${errorMessage(error)})`, {
      cause: error,
    });
  }
  if (!(await tf.setBackend('cpu'))) {
    throw new BackendUnavailableError('cpu', 'tf.setBackend("cpu") failed');
  }
  silenceCpuBanner();
}
