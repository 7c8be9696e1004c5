/**
 * The native `tensorflow` backend needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (optional peers,
 * not installed here): initBackend('tensorflow') must say so.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../src/backends/errors';
import { initBackend } from '../../src/backends/init-backend';
import { initTensorflowBackend, TENSORFLOW_PACKAGES } from '../../src/backends/tensorflow';

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

const NEITHER_INSTALLED = !TENSORFLOW_PACKAGES.some(installed);

describe('tensorflow backend', () => {
  it.runIf(NEITHER_INSTALLED)('throws BackendUnavailableError naming both packages when neither is installed', async () => {
    const error = await initBackend('tensorflow', { log: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const e = error as BackendUnavailableError;
    expect(e.backend).toBe('tensorflow');
    expect(e.reason).toContain('install @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node');
    expect(e.message).toContain("Backend 'tensorflow' is unavailable");
    expect(tf.getBackend()).not.toBe('tensorflow');
  });

  it('tries tfjs-node-gpu first, then tfjs-node, and reports the one that loaded', async () => {
    const tried: string[] = [];
    const fakeBackend = tf.findBackendFactory('tensorflow');
    expect(fakeBackend).toBeNull();
    await import('@tensorflow/tfjs-backend-cpu');
    const loader = async (specifier: string): Promise<unknown> => {
      tried.push(specifier);
      if (specifier === '@tensorflow/tfjs-node-gpu') throw new Error('libcudart.so.11.0: cannot open shared object file');
      // What tfjs-node does on import: register the 'tensorflow' backend (here a cpu backend stands in).
      const cpuFactory = tf.findBackendFactory('cpu');
      tf.registerBackend('tensorflow', cpuFactory);
      return {};
    };
    try {
      const loaded = await initTensorflowBackend(loader);
      expect(tried).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
      expect(loaded.package).toBe('@tensorflow/tfjs-node');
      expect(loaded.skipped[0]).toContain('libcudart');
      expect(tf.getBackend()).toBe('tensorflow');
    } finally {
      tf.removeBackend('tensorflow');
    }
  });

  it('names both packages and each failure when a package loads without registering the backend', async () => {
    const error = await initTensorflowBackend(async () => ({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const reason = (error as BackendUnavailableError).reason;
    expect(reason).toContain('install @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node');
    expect(reason).toContain("@tensorflow/tfjs-node-gpu: loaded but did not register the 'tensorflow' backend");
  });
});
