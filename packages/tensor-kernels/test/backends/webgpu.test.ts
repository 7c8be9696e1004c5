/**
 * The webgpu backend in Node through Dawn. On machines without a GPU it runs on Mesa llvmpipe (OpenGL ES,
 * compatibility mode), which CI installs: failing to start it fails this file. Set QUARKMED_SKIP_WEBGPU=1
 * to skip it explicitly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../src/backends/errors';
import { initBackend, type BackendChoice } from '../../src/backends/init-backend';
import { findAdapter, releaseWebGPU, softwareAdapterName } from '../../src/backends/webgpu/index';
import { mulberry32 } from '../helpers/random';
import { NATIVE_UNAVAILABLE } from '../helpers/backends';

const SKIP = process.env.QUARKMED_SKIP_WEBGPU === '1';
/** Machines without a GPU (this one, CI) must get a software adapter; set QUARKMED_HARDWARE_GPU=1 on GPU machines. */
const EXPECT_SOFTWARE = process.env.QUARKMED_HARDWARE_GPU !== '1';

function uniform(n: number, seed: number): Float32Array {
  const u = mulberry32(seed);
  return Float32Array.from({ length: n }, () => 2 * u() - 1);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    expect(Number.isFinite(actual[i])).toBe(true);
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

const A = uniform(5 * 7, 1);
const B = uniform(7 * 3, 2);
const LOGITS = uniform(4 * 9, 3).map((x) => 4 * x);

/** matmul, softmax and the gradient of sum(matMul(a, b) * w) with respect to a and b, on the active backend. */
async function compute(): Promise<{ mm: Float32Array; sm: Float32Array; da: Float32Array; db: Float32Array }> {
  const a = tf.tensor2d(A, [5, 7]);
  const b = tf.tensor2d(B, [7, 3]);
  const w = tf.tensor2d(uniform(5 * 3, 4), [5, 3]);
  const logits = tf.tensor2d(LOGITS, [4, 9]);
  const mmT = tf.matMul(a, b);
  const smT = tf.softmax(logits);
  const [daT, dbT] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), w)))([a, b]);
  const out = {
    mm: (await mmT.data()) as Float32Array,
    sm: (await smT.data()) as Float32Array,
    da: (await daT!.data()) as Float32Array,
    db: (await dbT!.data()) as Float32Array,
  };
  tf.dispose([a, b, w, logits, mmT, smT, daT!, dbT!]);
  return out;
}

describe.skipIf(SKIP)('webgpu backend (Dawn in Node)', () => {
  let reference: Awaited<ReturnType<typeof compute>>;
  let choice: BackendChoice;
  const logged: string[] = [];

  beforeAll(async () => {
    await initBackend('cpu', { log: false });
    reference = await compute();
    choice = await initBackend('webgpu', { log: (m) => logged.push(m) });
    // tfjs' webgpu backend runs ops on inputs under 1000 elements on the CPU; make every op run on the GPU.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
  });

  afterAll(() => {
    releaseWebGPU();
  });

  it('starts and reports its adapter (software on machines without a GPU, as here and in CI)', () => {
    expect(choice.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(choice.adapter).toBeDefined();
    if (EXPECT_SOFTWARE) {
      // This machine and CI have no GPU: Mesa llvmpipe.
      expect(choice.adapter!.software).toBe(true);
    }
    expect(choice.adapter!.software).toBe(softwareAdapterName(choice.adapter!) !== undefined);
    expect(choice.reason).toMatch(choice.adapter!.software ? /^webgpu: software adapter/ : /^webgpu: hardware adapter/);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(choice.reason);
  });

  it('matMul, softmax and tf.grads through matMul agree with the cpu backend to 1e-4', async () => {
    const got = await compute();
    expectClose(got.mm, reference.mm, 1e-4);
    expectClose(got.sm, reference.sm, 1e-4);
    expectClose(got.da, reference.da, 1e-4);
    expectClose(got.db, reference.db, 1e-4);
    // The reference itself is non-trivial: softmax rows sum to one and the gradient is not zero.
    expect(reference.sm.slice(0, 9).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
    expect(Math.max(...reference.da.map(Math.abs))).toBeGreaterThan(0.1);
  });

  it('a second initBackend("webgpu") reuses the running backend', async () => {
    await initBackend('cpu', { log: false });
    const again = await initBackend('webgpu', { log: false });
    expect(tf.getBackend()).toBe('webgpu');
    expect(again.adapter).toEqual(choice.adapter);
    const got = await compute();
    expectClose(got.mm, reference.mm, 1e-4);
  });

  it('refuses a software adapter when allowSoftwareAdapter is false', async () => {
    releaseWebGPU();
    await initBackend('cpu', { log: false });
    const result = await initBackend('webgpu', { allowSoftwareAdapter: false, log: false }).catch((e: unknown) => e);
    if (choice.adapter!.software) {
      expect(result).toBeInstanceOf(BackendUnavailableError);
      expect((result as BackendUnavailableError).backend).toBe('webgpu');
      expect((result as BackendUnavailableError).reason).toMatch(/software/);
      expect(tf.getBackend()).toBe('cpu');
    } else {
      expect((result as BackendChoice).name).toBe('webgpu');
      expect((result as BackendChoice).adapter!.software).toBe(false);
    }
  });

  it("'auto' never picks a software adapter: native (or wasm) here, webgpu only with a hardware adapter", async () => {
    const messages: string[] = [];
    const auto = await initBackend('auto', { log: (m) => messages.push(m) });
    expect(messages[0]).toContain(auto.reason);
    if (choice.adapter!.software) {
      const cpuBackend = NATIVE_UNAVAILABLE === undefined ? 'native' : 'wasm';
      expect(auto.name).toBe(cpuBackend);
      expect(tf.getBackend()).toBe(cpuBackend);
      const name = softwareAdapterName(choice.adapter!)!;
      expect(auto.reason).toContain(`no hardware GPU adapter (${name} is software)`);
    } else {
      expect(auto.name).toBe('webgpu');
      expect(auto.adapter!.software).toBe(false);
    }
  });
});

describe('software adapter detection', () => {
  it('classifies adapters by their info', () => {
    expect(softwareAdapterName({ vendor: '', architecture: '', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL ES 3.2 Mesa 22.3.6' })).toBe('llvmpipe');
    expect(softwareAdapterName({ vendor: 'google', architecture: 'swiftshader', device: '', description: '' })).toBe('SwiftShader');
    expect(softwareAdapterName({ vendor: 'mesa', architecture: '', device: 'lavapipe', description: '' })).toBe('lavapipe');
    expect(softwareAdapterName({ vendor: 'nvidia', architecture: 'ada', device: '', description: 'NVIDIA GeForce RTX 4090' })).toBeUndefined();
    expect(softwareAdapterName({ vendor: 'x', architecture: '', device: '', description: '' }, true)).toBe('a fallback adapter');
    expect(softwareAdapterName({ vendor: 'apple', architecture: 'metal-3', description: 'Apple M2', isFallbackAdapter: true })).toBe('a fallback adapter');
  });
});

describe('adapter search on navigator.gpu (fake GPUs)', () => {
  type Info = { vendor: string; architecture: string; device: string; description: string };
  const fakeAdapter = (info: Info) => ({
    info,
    features: new Set<string>(),
    limits: {},
    requestDevice: () => Promise.reject(new Error('not in this test')),
  });
  const NVIDIA: Info = { vendor: 'nvidia', architecture: 'ada', device: '', description: 'NVIDIA GeForce RTX 4090' };
  const SWIFTSHADER: Info = { vendor: 'google', architecture: 'swiftshader', device: '', description: '' };

  async function withNavigatorGpu<T>(requestAdapter: (o?: { featureLevel?: string }) => unknown, body: () => Promise<T>): Promise<T> {
    const g = globalThis as { navigator?: unknown };
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: { requestAdapter: async (o?: { featureLevel?: string }) => requestAdapter(o) } }, configurable: true, writable: true });
    try {
      return await body();
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete g.navigator;
    }
  }

  it('chooses a hardware adapter', async () => {
    const search = await withNavigatorGpu(() => fakeAdapter(NVIDIA), () => findAdapter({ allowSoftware: false }));
    expect(search.chosen?.description).toEqual({ ...NVIDIA, software: false });
    expect(search.chosen?.source).toBe('navigator.gpu');
    expect(search.chosen?.compatibility).toBe(false);
  });

  it('takes a software adapter only when allowed, and says why otherwise', async () => {
    const refused = await withNavigatorGpu(() => fakeAdapter(SWIFTSHADER), () => findAdapter({ allowSoftware: false }));
    expect(refused.chosen).toBeUndefined();
    expect(refused.why).toBe('no hardware GPU adapter (SwiftShader is software)');
    const allowed = await withNavigatorGpu(() => fakeAdapter(SWIFTSHADER), () => findAdapter({ allowSoftware: true }));
    expect(allowed.chosen?.description.software).toBe(true);
  });

  it('falls back to a compatibility-mode adapter when the core request returns none', async () => {
    const search = await withNavigatorGpu(
      (o) => (o?.featureLevel === 'compatibility' ? fakeAdapter(NVIDIA) : null),
      () => findAdapter({ allowSoftware: false }),
    );
    expect(search.chosen?.compatibility).toBe(true);
    expect(search.chosen?.description.software).toBe(false);
  });

  it('reports no adapter at all', async () => {
    const search = await withNavigatorGpu(() => null, () => findAdapter({ allowSoftware: true }));
    expect(search.chosen).toBeUndefined();
    expect(search.why).toBe('no WebGPU adapter (navigator.gpu returned none)');
  });
});

describe.skipIf(process.env.QUARKMED_SKIP_WEBGPU === '1')('webgpu AddN beyond the storage-buffer limit', () => {
  it('tf.addN of 40 tensors equals the sum (tfjs-webgpu binds one storage buffer per input, beyond the device limit)', async () => {
    const { initBackend } = await import('../../src/index');
    await initBackend('webgpu', { log: false });
    const before = tf.memory().numTensors;
    const xs = Array.from({ length: 40 }, (_, i) => tf.fill([5], i + 1));
    const y = tf.addN(xs);
    expect(Array.from(await y.data())).toEqual([820, 820, 820, 820, 820]);
    tf.dispose([...xs, y]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
