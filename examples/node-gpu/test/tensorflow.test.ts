/**
 * The GPU example's native TensorFlow path: without `@tensorflow/tfjs-node-gpu` (and `-node`) installed, a typed
 * error that says what to install, before any work; with one installed the backend starts.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ExampleError } from '@quarkmed/example-node-cpu';
import { TensorflowNotInstalledError, startGpuBackend } from '../src/gpu-backend';
import { runGpuExample } from '../src/run-gpu-example';

const require = createRequire(import.meta.url);
const installed = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].filter((p) => {
  try {
    require.resolve(p);
    return true;
  } catch {
    return false;
  }
});

describe('node-gpu example on tensorflow', () => {
  it.skipIf(installed.length > 0)('is a TensorflowNotInstalledError naming tfjs-node-gpu when it is not installed', async () => {
    const e = await runGpuExample({ backend: 'tensorflow', allowSoftwareAdapter: false, scale: 'tiny', out: '/nonexistent/never-created', silent: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TensorflowNotInstalledError);
    expect(e).toBeInstanceOf(ExampleError);
    expect((e as ExampleError).option).toBe('--backend');
    expect((e as Error).message).toMatch(/^tensorflow: .*@tensorflow\/tfjs-node-gpu.*`pnpm add -w @tensorflow\/tfjs-node-gpu@4\.22\.0`/);
  });

  it.skipIf(installed.length === 0)('starts when tfjs-node(-gpu) is installed', async () => {
    const g = await startGpuBackend('tensorflow', { allowSoftwareAdapter: false });
    expect(g.choice.name).toBe('tensorflow');
    expect(g.hardware).toBe(installed.includes('@tensorflow/tfjs-node-gpu'));
  });
});
