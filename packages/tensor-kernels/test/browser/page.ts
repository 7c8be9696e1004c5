/**
 * The page of the browser smoke test: starts the webgpu backend through `initBackend` with the browser's
 * `navigator.gpu` and runs a matmul. The outcome goes to `window.__result`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backends/init-backend';

declare global {
  interface Window {
    __result?: unknown;
  }
}

async function main(): Promise<void> {
  try {
    const choice = await initBackend('webgpu', { log: false });
    // Run every op on the GPU, not on tfjs' CPU path for small inputs.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor2d([7, 8, 9, 10, 11, 12], [3, 2]);
    const values = Array.from(await tf.matMul(a, b).data());
    window.__result = { choice, backend: tf.getBackend(), values };
  } catch (error) {
    window.__result = { error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error) };
  }
}

void main();
