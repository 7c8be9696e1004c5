/**
 * initBackend: cpu, wasm, auto, argument validation, logging and fused-kernel registration.
 */
import { KernelInputError } from '../../src/kernels/kernel-input-error';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { initBackend, BACKEND_NAMES } from '../../src/backends/init-backend';
import { RmsNorm } from '../../src/kernels/names';
import { NATIVE_UNAVAILABLE } from '../helpers/backends';

describe('initBackend', () => {
  it("does not print tfjs' Node.js banner on the cpu backend (first test: the banner comes on first use)", async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      await initBackend('cpu', { log: false });
      tf.dispose(tf.tensor1d([1, 2, 3]));
      expect(warn.mock.calls.flat().join('\n')).not.toMatch(/Hi, looks like you are running TensorFlow\.js in Node\.js/);
    } finally {
      warn.mockRestore();
    }
  });

  it("'cpu' starts the cpu backend, reports it and registers the fused kernels", async () => {
    const choice = await initBackend('cpu', { log: false });
    expect(choice).toEqual({ name: 'cpu', reason: 'cpu: requested' });
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.getKernel(RmsNorm, 'cpu')).toBeDefined();
    const y = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
    expect(Array.from(await y.data())).toEqual([4, 6]);
  });

  it("'wasm' runs with SIMD and 2 threads and registers the fused kernels", async () => {
    const choice = await initBackend('wasm', { log: false });
    expect(choice.name).toBe('wasm');
    expect(choice.threads).toBe(2);
    expect(choice.simd).toBe(true);
    expect(choice.reason).toBe('wasm: SIMD with 2 threads; requested');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel(RmsNorm, 'wasm')).toBeDefined();
    const y = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2]));
    expect(Array.from(await y.data())).toEqual([19, 22, 43, 50]);
  });

  it("'auto' picks native (when built; else wasm) on this machine (no hardware GPU adapter) and logs the choice and reason", async () => {
    const messages: string[] = [];
    const choice = await initBackend('auto', { log: (m) => messages.push(m) });
    const expected = NATIVE_UNAVAILABLE === undefined ? 'native' : 'wasm';
    expect(choice.name).toBe(expected);
    expect(tf.getBackend()).toBe(expected);
    if (expected === 'native') {
      expect(choice.reason).toMatch(/^native: .+ for matmuls, fused kernels for \S+, \d+ threads? \(.+\), on the wasm heap; no (hardware GPU adapter|WebGPU)/);
      expect(choice.threads).toBeGreaterThanOrEqual(1);
    } else {
      expect(choice.reason).toMatch(/^wasm: SIMD with 2 threads; native unavailable \(.+\); no (hardware GPU adapter|WebGPU)/);
    }
    expect(messages).toEqual([`[@quarkmed/tensor-kernels] backend '${expected}': ${choice.reason}`]);
  });

  it('logs to console.info by default and not at all with log: false', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    try {
      await initBackend('cpu');
      expect(info).toHaveBeenCalledTimes(1);
      expect(info.mock.calls[0]![0]).toBe("[@quarkmed/tensor-kernels] backend 'cpu': cpu: requested");
      await initBackend('cpu', { log: false });
      expect(info).toHaveBeenCalledTimes(1);
    } finally {
      info.mockRestore();
    }
  });

  it('rejects with a KernelInputError naming the valid names for an unknown backend', async () => {
    await expect(initBackend('webgl' as never)).rejects.toThrow(KernelInputError);
    await expect(initBackend('webgl' as never)).rejects.toThrow(
      "initBackend: unknown backend name 'webgl'; expected one of 'auto', 'cpu', 'wasm', 'native', 'webgpu', 'tensorflow'",
    );
    expect(BACKEND_NAMES).toEqual(['auto', 'cpu', 'wasm', 'native', 'webgpu', 'tensorflow']);
  });

  it('validates the options', async () => {
    await expect(initBackend('wasm', { threads: 0 })).rejects.toThrow(KernelInputError);
    await expect(initBackend('wasm', { threads: 1.5 })).rejects.toThrow(/options\.threads must be a positive integer, got 1\.5/);
    await expect(initBackend('webgpu', { allowSoftwareAdapter: 'yes' as never })).rejects.toThrow(KernelInputError);
    await expect(initBackend('cpu', { log: 'console' as never })).rejects.toThrow(/options\.log must be a function or false/);
    await expect(initBackend('cpu', null as never)).rejects.toThrow(/options must be an object, got null/);
  });

  it('serialises concurrent calls: the last one wins', async () => {
    const [a, b] = await Promise.all([initBackend('wasm', { log: false }), initBackend('cpu', { log: false })]);
    expect(a.name).toBe('wasm');
    expect(b.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
