/**
 * The WGSL kernels (src/kernels/webgpu), run through `tf.engine().runKernel` on the webgpu backend (Dawn
 * in Node; Mesa llvmpipe through OpenGL ES in compatibility mode on machines without a GPU), against
 * straightforward tfjs compositions (and their autodiff gradients) on the cpu backend.
 *
 * Failing to start webgpu fails this file; set QUARKMED_SKIP_WEBGPU=1 to skip it explicitly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../src/backends/tfjs-gradients.generated';
import { initBackend } from '../../src/backends/init-backend';
import { releaseWebGPU } from '../../src/backends/webgpu/index';
import { webgpuKernelConfigs } from '../../src/kernels/webgpu/index';
import * as names from '../../src/kernels/names';
import { KernelInputError } from '../../src/kernels/kernel-input-error';
import { randIntArray, randnArray } from '../helpers/random';
import {
  type AttentionCase,
  type Spec,
  DECODE_STEP_CASE,
  attentionData,
  attentionReference,
  crossEntropyReference,
  emptyRowsMask,
  expectEmptyRowZero,
  f32,
  i32,
  naiveAdamW,
  naiveRmsNorm,
  naiveRope,
  naiveSwiglu,
  onCpu,
  ropeInputs,
  specTensor,
  tokenLogProbsReference,
  vjp,
} from '../helpers/reference';
import { expectWithin } from '../helpers/tolerance';

const SKIP = process.env.QUARKMED_SKIP_WEBGPU === '1';
const TOL = 1e-4;

/** Every element within `tol` of the reference (`|a - b| / max(|b|, 1)`, the project's metric). */
function expectClose(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, shape?: number[], tol = TOL): void {
  expectWithin(what, actual, expected, tol, shape);
}

/** The error-scope part of `GPUDevice`. */
interface GpuDeviceScopes {
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

/** Live data buffers of the active backend (including the intermediates a kernel creates itself). */
function backendDataIds(): number {
  return tf.backend().numDataIds();
}

/**
 * Runs a kernel on webgpu; returns its outputs' data and shapes, and checks that neither tensors nor
 * backend buffers leaked.
 */
async function runGpu(name: string, inputs: Record<string, Spec>, attrs: object = {}): Promise<{ data: Float32Array[]; shapes: number[][] }> {
  await tf.setBackend('webgpu');
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, s] of Object.entries(inputs)) ts[k] = specTensor(s);
  await Promise.all(Object.values(ts).map((t) => t.data())); // uploads settle before counting
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = backendDataIds();
  // Dawn reports invalid pipelines / bind groups as errors on the device, not as exceptions: catch them.
  const device = (tf.backend() as unknown as { device: GpuDeviceScopes }).device;
  device.pushErrorScope('validation');
  const out = tf.engine().runKernel(name, ts, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  const data = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  const gpuError = await device.popErrorScope();
  expect(gpuError?.message ?? null, `${name}: GPU validation error`).toBeNull();
  const shapes = outs.map((t) => t.shape.slice());
  expect(tf.memory().numTensors).toBe(tensorsBefore + outs.length);
  tf.dispose(outs);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  // a flush makes buffers released during the kernel leave the pending-disposal list
  const flush = tf.zeros([1]);
  await flush.data();
  flush.dispose();
  expect(backendDataIds()).toBeLessThanOrEqual(idsBefore);
  tf.dispose(Object.values(ts));
  return { data, shapes };
}

describe.skipIf(SKIP)('webgpu WGSL kernels', () => {
  beforeAll(async () => {
    await initBackend('webgpu', { log: false });
    // initBackend registers ./webgpu/index for webgpu; make sure these very configs are the ones registered.
    for (const config of webgpuKernelConfigs) {
      const existing = tf.getKernel(config.kernelName, 'webgpu');
      if (existing?.kernelFunc === config.kernelFunc) continue;
      if (existing != null) tf.unregisterKernel(config.kernelName, 'webgpu');
      tf.registerKernel(config);
    }
    await tf.setBackend('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
  });

  afterAll(async () => {
    await tf.setBackend('cpu');
    releaseWebGPU();
  });

  describe('kernel configs', () => {
    it('has one webgpu config per kernel name, and those are the registered kernels', () => {
      expect(webgpuKernelConfigs.map((c) => c.kernelName).sort()).toEqual([...names.ALL_KERNELS].sort());
      for (const c of webgpuKernelConfigs) {
        expect(c.backendName).toBe('webgpu');
        expect(tf.getKernel(c.kernelName, 'webgpu')?.kernelFunc).toBe(c.kernelFunc);
      }
    });
  });

  describe('QmRmsNorm / QmRmsNormGrad', () => {
    const eps = 1e-5;
    const naive = (x: tf.Tensor, w: tf.Tensor) => naiveRmsNorm(x, w, eps);
    for (const shape of [[5, 7], [2, 3, 64], [3, 130], [2, 2100]]) {
      it(`matches the cpu composition and its gradient (x [${shape.join(', ')}])`, async () => {
        const D = shape[shape.length - 1]!;
        const n = shape.reduce((a, b) => a * b, 1);
        const inputs = { x: f32(shape, randnArray(n, 1)), weight: f32([D], randnArray(D, 2)), dy: f32(shape, randnArray(n, 3)) };
        const fwd = await runGpu(names.RmsNorm, { x: inputs.x, weight: inputs.weight }, { eps });
        const bwd = await runGpu(names.RmsNormGrad, inputs, { eps });
        const ref = await onCpu(inputs, (t) => [naive(t.x!, t.weight!), ...vjp(naive, [t.x!, t.weight!], t.dy!)]);
        expect(fwd.shapes[0]).toEqual(shape);
        expect(bwd.shapes).toEqual([shape, [D]]);
        expectClose('y', fwd.data[0]!, ref[0]!, shape);
        expectClose('dx', bwd.data[0]!, ref[1]!, shape);
        expectClose('dweight', bwd.data[1]!, ref[2]!, [D]);
      });
    }
  });

  describe('QmRope', () => {
    for (const [B, H, T, Dh, Bc] of [
      [2, 3, 5, 14, 1],
      [2, 2, 4, 16, 2],
      [1, 3, 7, 6, 1],
    ] as const) {
      it(`matches the cpu composition (B ${B}, H ${H}, T ${T}, Dh ${Dh}, Bc ${Bc})`, async () => {
        const inputs = ropeInputs(B, H, T, Dh, Bc);
        const { data, shapes } = await runGpu(names.Rope, inputs);
        const [ref] = await onCpu(inputs, (t) => [naiveRope(t.x!, t.cos!, t.sin!)]);
        expect(shapes[0]).toEqual([B, H, T, Dh]);
        expectClose('rope', data[0]!, ref!, [B, H, T, Dh]);
      });
    }
  });

  describe('QmSwiGLU / QmSwiGLUGrad', () => {
    for (const shape of [[7], [64], [3, 343]]) {
      it(`matches the cpu composition and its gradient ([${shape.join(', ')}])`, async () => {
        const n = shape.reduce((a, b) => a * b, 1);
        const gate = randnArray(n, 7, 4);
        gate[0] = 95; // exp overflow range on both sides
        if (n > 1) gate[1] = -95;
        const inputs = { gate: f32(shape, gate), up: f32(shape, randnArray(n, 8)), dy: f32(shape, randnArray(n, 9)) };
        const fwd = await runGpu(names.SwiGLU, { gate: inputs.gate, up: inputs.up });
        const bwd = await runGpu(names.SwiGLUGrad, inputs);
        const ref = await onCpu(inputs, (t) => [naiveSwiglu(t.gate!, t.up!), ...vjp(naiveSwiglu, [t.gate!, t.up!], t.dy!)]);
        expect(bwd.shapes).toEqual([shape, shape]);
        expectClose('y', fwd.data[0]!, ref[0]!, shape);
        expectClose('dgate', bwd.data[0]!, ref[1]!, shape);
        expectClose('dup', bwd.data[1]!, ref[2]!, shape);
      });
    }
  });

  describe('QmCrossEntropy / QmCrossEntropyGrad', () => {
    const ignoreIndex = -100;
    const cases: [string, number, number, (l: Int32Array) => void][] = [
      ['V 13, some rows ignored', 9, 13, (l) => ((l[2] = ignoreIndex), (l[5] = ignoreIndex))],
      ['V 3000 (256-thread rows), one row ignored', 3, 3000, (l) => (l[1] = ignoreIndex)],
      ['N 300 (the mean over more rows than threads)', 300, 5, (l) => (l[7] = ignoreIndex)],
      ['all rows ignored', 4, 13, (l) => l.fill(ignoreIndex)],
    ];
    for (const [label, N, V, edit] of cases) {
      it(`matches the cpu composition and its gradient (${label})`, async () => {
        const logits = randnArray(N * V, 10, 3);
        logits[1] = 60; // large logits: lse must be max-subtracted
        const labels = randIntArray(N, V, 11);
        edit(labels);
        const inputs = { logits: f32([N, V], logits), labels: i32([N], labels) };
        const dy = f32([], Float32Array.of(1.7));
        const fwd = await runGpu(names.CrossEntropy, inputs, { ignoreIndex });
        const bwd = await runGpu(names.CrossEntropyGrad, { dy, ...inputs }, { ignoreIndex });
        expect(fwd.shapes[0]).toEqual([]);
        expect(bwd.shapes[0]).toEqual([N, V]);
        const [loss] = fwd.data;
        const [dl] = bwd.data;
        if (label === 'all rows ignored') {
          expect(loss![0]).toBe(0);
          expect(dl!.every((x) => x === 0)).toBe(true);
          return;
        }
        const ref = await crossEntropyReference(inputs, dy, ignoreIndex);
        expectClose('loss', loss!, ref[0]!);
        expectClose('dlogits', dl!, ref[1]!, [N, V]);
        // ignored rows get exactly zero gradient
        for (let n = 0; n < N; n++) {
          if (labels[n] === ignoreIndex) expect(dl!.subarray(n * V, (n + 1) * V).every((x) => x === 0)).toBe(true);
        }
      });
    }
  });

  describe('QmTokenLogProbs / QmTokenLogProbsGrad', () => {
    for (const [N, V] of [
      [6, 13],
      [3, 2500],
      [70, 2],
    ] as const) {
      it(`matches the cpu composition and its gradient (N ${N}, V ${V})`, async () => {
        const dyData = randnArray(N, 14);
        dyData[1] = 0;
        const logitData = randnArray(N * V, 12, 3);
        logitData[0] = 70;
        const inputs = { logits: f32([N, V], logitData), ids: i32([N], randIntArray(N, V, 13)) };
        const dy = f32([N], dyData);
        const fwd = await runGpu(names.TokenLogProbs, inputs);
        const bwd = await runGpu(names.TokenLogProbsGrad, { dy, ...inputs });
        const ref = await tokenLogProbsReference(inputs, dy);
        expect(fwd.shapes[0]).toEqual([N]);
        expect(bwd.shapes[0]).toEqual([N, V]);
        expectClose('logprobs', fwd.data[0]!, ref[0]!, [N]);
        expectClose('dlogits', bwd.data[0]!, ref[1]!, [N, V]);
      });
    }
  });

  describe('QmAdamW', () => {
    for (const shape of [[7], [10, 13]]) {
      it(`matches the torch AdamW formula ([${shape.join(', ')}])`, async () => {
        const n = shape.reduce((a, b) => a * b, 1);
        const attrs = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: 3 };
        const inputs = {
          param: f32(shape, randnArray(n, 15)),
          grad: f32(shape, randnArray(n, 16)),
          m: f32(shape, randnArray(n, 17, 0.1)),
          v: f32(shape, randnArray(n, 18, 0.1).map(Math.abs)),
        };
        const { data, shapes } = await runGpu(names.AdamW, inputs, attrs);
        const ref = await onCpu(inputs, ({ param, grad, m, v }) => naiveAdamW(param!, grad!, m!, v!, attrs));
        expect(shapes).toEqual([shape, shape, shape]);
        for (const [i, what] of ['param', 'm', 'v'].entries()) expectClose(what, data[i]!, ref[i]!, shape);
      });
    }
  });

  describe('QmCausalAttention / QmCausalAttentionGrad', () => {
    const cases: AttentionCase[] = [
      { label: 'MHA, Tq = Tk, Dh 7', B: 1, Hq: 2, Hkv: 2, Tq: 9, Tk: 9, Dh: 7 },
      { label: 'GQA 3:1, Tk > Tq, rows longer than a workgroup', B: 1, Hq: 3, Hkv: 1, Tq: 70, Tk: 75, Dh: 8 },
      {
        label: 'GQA, Tk > Tq, int32 keyMask with empty rows',
        B: 2,
        Hq: 4,
        Hkv: 2,
        Tq: 20,
        Tk: 23,
        Dh: 6,
        mask: emptyRowsMask(17, 9),
        maskDtype: 'int32',
      },
      DECODE_STEP_CASE,
    ];

    for (const c of cases) {
      it(`matches the naive composition and its gradient (${c.label})`, async () => {
        const { B, Hq, Hkv, Tq, Tk, Dh } = c;
        const d = attentionData(c);
        const { inputs, dy, scale } = d;
        const fwd = await runGpu(names.CausalAttention, inputs, { scale });
        const bwd = await runGpu(names.CausalAttentionGrad, { dy, ...inputs }, { scale });
        expect(fwd.shapes[0]).toEqual([B, Hq, Tq, Dh]);
        expect(bwd.shapes).toEqual([
          [B, Hq, Tq, Dh],
          [B, Hkv, Tk, Dh],
          [B, Hkv, Tk, Dh],
        ]);
        const ref = await attentionReference(d);
        const [o] = fwd.data;
        const [dq, dk, dv] = bwd.data;
        expectClose('out', o!, ref[0]!, [B, Hq, Tq, Dh]);
        expectClose('dq', dq!, ref[1]!, [B, Hq, Tq, Dh]);
        expectClose('dk', dk!, ref[2]!, [B, Hkv, Tk, Dh]);
        expectClose('dv', dv!, ref[3]!, [B, Hkv, Tk, Dh]);
        // Batch 1, query 0 of every head: no allowed key -> zero output and zero dq.
        if (c.label.includes('empty rows')) expectEmptyRowZero(c, o!, dq!);
      });
    }
  });

  describe('dispatches beyond 65535 workgroups in x (reshaped by tfjs to 2-D)', () => {
    it('elementwise: SwiGLU over 64 · 65536 + 3 elements', async () => {
      const n = 64 * 65536 + 3;
      const inputs = { gate: f32([n], randnArray(n, 30, 3)), up: f32([n], randnArray(n, 31)) };
      const { data } = await runGpu(names.SwiGLU, inputs);
      const [ref] = await onCpu(inputs, (t) => [tf.mul(tf.mul(t.gate!, tf.sigmoid(t.gate!)), t.up!)]);
      expectClose('y', data[0]!, ref!);
    });

    it('one workgroup per row: TokenLogProbs and its gradient over 70001 rows', async () => {
      const N = 70001;
      const V = 3;
      const inputs = { logits: f32([N, V], randnArray(N * V, 32, 2)), ids: i32([N], randIntArray(N, V, 33)) };
      const dy = f32([N], randnArray(N, 34));
      const fwd = await runGpu(names.TokenLogProbs, inputs);
      const bwd = await runGpu(names.TokenLogProbsGrad, { dy, ...inputs });
      const ref = await onCpu({ ...inputs, dy }, (t) => {
        const logp = tf.logSoftmax(t.logits!);
        const oh = tf.oneHot(t.ids!, V);
        return [tf.sum(tf.mul(logp, oh), -1), tf.mul(tf.reshape(t.dy!, [N, 1]), tf.sub(oh, tf.exp(logp)))];
      });
      expectClose('logprobs', fwd.data[0]!, ref[0]!, [N]);
      expectClose('dlogits', bwd.data[0]!, ref[1]!, [N, V]);
    });
  });

  describe('argument checks', () => {
    it('rejects mismatched shapes with errors that name the argument and the shapes', async () => {
      await tf.setBackend('webgpu');
      const before = tf.memory().numTensors;
      const x = tf.zeros([2, 4]);
      const w = tf.zeros([3]);
      expect(() => tf.engine().runKernel(names.RmsNorm, { x, weight: w }, { eps: 1e-5 })).toThrow(/weight must be \[4\].*\[3\]/);
      const q = tf.zeros([1, 3, 2, 4]);
      const k = tf.zeros([1, 2, 2, 4]);
      expect(() => tf.engine().runKernel(names.CausalAttention, { q, k, v: k }, { scale: 1 })).toThrow(/multiple of the kv heads/);
      const kShort = tf.zeros([1, 3, 1, 4]);
      expect(() => tf.engine().runKernel(names.CausalAttention, { q, k: kShort, v: kShort }, { scale: 1 })).toThrow(/at least as many positions/);
      const x4 = tf.zeros([1, 1, 3, 4]);
      const cos = tf.zeros([1, 2, 2]);
      expect(() => tf.engine().runKernel(names.Rope, { x: x4, cos, sin: cos }, {})).toThrow(/QmRope \(webgpu kernel\): cos must be \[1 or 1, 3, 2\]/);
      expect(() => tf.engine().runKernel(names.Rope, { x: x4, cos, sin: cos }, {})).toThrow(KernelInputError);
      tf.dispose([x, w, q, k, kShort, x4, cos]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
