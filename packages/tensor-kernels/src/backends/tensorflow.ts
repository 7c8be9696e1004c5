/**
 * The native `tensorflow` backend (libtensorflow through `@tensorflow/tfjs-node-gpu` or
 * `@tensorflow/tfjs-node`). Both packages are optional peer dependencies: they are loaded at run time
 * only, with module specifiers that bundlers leave alone.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, errorMessage } from './errors';

/** The packages tried, in order. */
export const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** What {@link initTensorflowBackend} loaded. */
export interface TensorflowBackendInfo {
  /** The package that was loaded. */
  package: (typeof TENSORFLOW_PACKAGES)[number];
  /** Failures of the packages tried before it, for the log. */
  skipped: string[];
}

/**
 * Imports a module whose specifier is only known at run time, so that bundlers (esbuild, tsup, vite)
 * neither resolve nor bundle it.
 */
export function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
}

/**
 * Loads `@tensorflow/tfjs-node-gpu`, else `@tensorflow/tfjs-node` (each registers the `tensorflow`
 * backend when imported) and makes `tensorflow` the active backend.
 *
 * @param load - module loader (tests inject one); defaults to a bundler-proof dynamic `import()`
 * @throws {@link BackendUnavailableError} naming both packages when neither can be loaded.
 */
export async function initTensorflowBackend(
  load: (specifier: string) => Promise<unknown> = importOptional,
): Promise<TensorflowBackendInfo> {
  const failures: string[] = [];
  for (const pkg of TENSORFLOW_PACKAGES) {
    try {
      await load(pkg);
    } catch (error) {
      failures.push(`${pkg}: ${errorMessage(error)}`);
      continue;
    }
    if (tf.findBackendFactory('tensorflow') == null) {
      failures.push(`${pkg}: loaded but did not register the 'tensorflow' backend`);
      continue;
    }
    if (!(await tf.setBackend('tensorflow'))) {
      throw new BackendUnavailableError('tensorflow', `${pkg} loaded but tf.setBackend('tensorflow') failed`);
    }
    return { package: pkg, skipped: failures };
  }
  throw new BackendUnavailableError(
    'tensorflow',
    `install @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (${failures.join('; ')})`,
  );
}
