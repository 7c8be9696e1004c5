import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALL_KERNELS, RmsNorm } from '../../src/kernels/names';
import { ensureKernels, registerFusedKernels } from '../../src/kernels/register';
import { rmsNorm } from '../../src/ops/rms-norm';
import { useCpu } from './setup';

beforeAll(useCpu);
afterEach(() => vi.restoreAllMocks());

describe('kernel registration', () => {
  it('ensureKernels registers a kernel for every name on the active backend', () => {
    ensureKernels();
    for (const name of ALL_KERNELS) expect(tf.getKernel(name, 'cpu'), name).toBeDefined();
    for (const name of ['QmRmsNorm', 'QmRope', 'QmCausalAttention', 'QmSwiGLU', 'QmCrossEntropy', 'QmTokenLogProbs', 'QmAdamW']) {
      expect(tf.getGradient(name), `gradient of ${name}`).toBeDefined();
    }
  });

  it('registerFusedKernels is idempotent and never re-registers a kernel', async () => {
    const warn = vi.spyOn(console, 'warn');
    const before = tf.getKernel(RmsNorm, 'cpu');
    await registerFusedKernels('cpu');
    await registerFusedKernels('cpu');
    const p1 = registerFusedKernels('qm-test-backend');
    expect(registerFusedKernels('qm-test-backend')).toBe(p1);
    await p1;
    for (const name of ALL_KERNELS) expect(tf.getKernel(name, 'qm-test-backend'), name).toBeDefined();
    expect(tf.getKernel(RmsNorm, 'cpu')).toBe(before);
    expect(warn.mock.calls.filter((c) => /already registered/.test(String(c[0])))).toEqual([]);
  });

  it('keeps a kernel registered by someone else for that backend', async () => {
    const kernelFunc = () => {
      throw new Error('custom');
    };
    tf.registerKernel({ kernelName: RmsNorm, backendName: 'qm-custom', kernelFunc });
    await registerFusedKernels('qm-custom');
    expect(tf.getKernel(RmsNorm, 'qm-custom')!.kernelFunc).toBe(kernelFunc);
    expect(tf.getKernel('QmRope', 'qm-custom')).toBeDefined();
  });

  it('ops work on a backend set with tf.setBackend only, and on one registered later', async () => {
    tf.registerBackend('qm-cpu-2', () => new (tf.findBackend('cpu')!.constructor as new () => tf.KernelBackend)());
    // the new backend needs tfjs' own kernels too: copy the cpu ones
    for (const k of tf.getKernelsForBackend('cpu')) {
      if (!tf.getKernel(k.kernelName, 'qm-cpu-2') && !k.kernelName.startsWith('Qm')) tf.registerKernel({ ...k, backendName: 'qm-cpu-2' });
    }
    await tf.setBackend('qm-cpu-2');
    try {
      expect(tf.getKernel(RmsNorm, 'qm-cpu-2')).toBeUndefined();
      const y = rmsNorm(tf.tensor2d([[3, 4]]), tf.ones([2]), 0);
      expect(Array.from(y.dataSync()).map((x) => Number(x.toFixed(5)))).toEqual([0.84853, 1.13137]);
      expect(tf.getKernel(RmsNorm, 'qm-cpu-2')).toBeDefined();
    } finally {
      await tf.setBackend('cpu');
      tf.removeBackend('qm-cpu-2');
    }
  });
});

describe('specialised kernels', () => {
  it('registerFusedKernels("wasm") replaces composites registered earlier by ensureKernels', async () => {
    const { registerComposites } = await import('../../src/kernels/register');
    const { compositeKernels } = await import('../../src/kernels/composite/index');
    const { wasmKernelConfigs } = await import('../../src/kernels/wasm/index');
    registerComposites('wasm');
    const composite = compositeKernels.find((k) => k.kernelName === RmsNorm)!;
    expect(tf.getKernel(RmsNorm, 'wasm')!.kernelFunc).toBe(composite.kernelFunc);
    await registerFusedKernels('wasm');
    for (const config of wasmKernelConfigs) expect(tf.getKernel(config.kernelName, 'wasm'), config.kernelName).toBe(config);
    for (const name of ALL_KERNELS) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });
});
