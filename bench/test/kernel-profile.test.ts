import * as tf from '@tensorflow/tfjs-core';
import { performance } from 'node:perf_hooks';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '@quarkmed/tensor-kernels';
import { profileKernels, profileRows } from '../lib/kernel-profile';

beforeAll(async () => {
  await initBackend('cpu', { log: false });
});

describe('profileKernels', () => {
  it('counts the kernels a function runs and restores the original kernels', async () => {
    const before = tf.getKernel('BatchMatMul', 'cpu')!;
    const a = tf.ones([64, 64]);
    const p = await profileKernels('cpu', () => {
      tf.tidy(() => {
        tf.matMul(a, a);
        tf.matMul(a, a);
        tf.add(a, a);
      });
    });
    a.dispose();
    expect(tf.getKernel('BatchMatMul', 'cpu')).toBe(before);
    const mm = p.kernels.find((k) => k.name === 'BatchMatMul');
    expect(mm?.calls).toBe(2);
    expect(p.kernels.find((k) => k.name === 'Add')?.calls).toBe(1);
    expect(p.kernels.reduce((s, k) => s + k.selfMs, 0)).toBeLessThanOrEqual(p.wallMs + 1e-6);
    const rows = profileRows(p, 1);
    expect(rows[0]![0]).toBe(p.kernels[0]!.name);
    expect(rows[rows.length - 1]![0]).toBe('(outside kernels)');
  });

  it('charges a composite kernel only for its own time, its nested kernels separately', async () => {
    const cfg: tf.KernelConfig = {
      kernelName: 'BenchTestComposite',
      backendName: 'cpu',
      kernelFunc: ({ inputs }) => tf.tidy(() => tf.matMul(inputs['x'] as tf.Tensor2D, inputs['x'] as tf.Tensor2D)),
    };
    tf.registerKernel(cfg);
    const x = tf.ones([8, 8]);
    // A clock that advances 1 ms per reading: wall start 1, composite start 2, matmul start 3, matmul end 4,
    // composite end 5, wall end 6.
    let clock = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => ++clock);
    try {
      const p = await profileKernels('cpu', () => {
        tf.dispose(tf.engine().runKernel('BenchTestComposite', { x }, {}) as tf.Tensor);
      });
      now.mockRestore();
      expect(p.kernels).toEqual([
        { name: 'BenchTestComposite', calls: 1, selfMs: 2 },
        { name: 'BatchMatMul', calls: 1, selfMs: 1 },
      ]);
      expect(p.wallMs).toBe(5);
    } finally {
      now.mockRestore();
      x.dispose();
      tf.unregisterKernel('BenchTestComposite', 'cpu');
    }
  });

  it('restores the kernels when the function throws', async () => {
    const before = tf.getKernel('Add', 'cpu')!;
    await expect(profileKernels('cpu', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(tf.getKernel('Add', 'cpu')).toBe(before);
  });
});
