/**
 * The wasm SIMD kernels (src/kernels/wasm), run through `tf.engine().runKernel` on the wasm backend,
 * against straightforward tfjs compositions (and their autodiff gradients) on the cpu backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '../../src/backends/tfjs-gradients.generated';
import { wasmKernelConfigs } from '../../src/kernels/wasm/index';
import * as names from '../../src/kernels/names';
import {
  getSimdKernels,
  getWasmKernelMode,
  setWasmKernelMode,
  zeroCopyKernels,
  type WasmKernelMode,
} from '../../src/kernels/wasm/simd-module';
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

/** Max abs difference relative to the reference's max abs value. */
function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < expected.length; i++) {
    expect(Number.isFinite(actual[i])).toBe(true);
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    ref = Math.max(ref, Math.abs(expected[i]!));
  }
  return diff / Math.max(ref, 1e-30);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(relErr(actual, expected)).toBeLessThan(tol);
}

/** Runs a kernel on wasm; returns its outputs' data and checks that nothing leaked. */
async function runWasm(name: string, inputs: Record<string, Spec>, attrs: object = {}): Promise<Float32Array[]> {
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, s] of Object.entries(inputs)) ts[k] = specTensor(s);
  const out = tf.engine().runKernel(name, ts, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  const data = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  tf.dispose(Object.values(ts));
  expect(tf.memory().numTensors).toBe(before);
  return data;
}

beforeAll(async () => {
  for (const config of wasmKernelConfigs) {
    if (tf.getKernel(config.kernelName, 'wasm') == null) tf.registerKernel(config);
  }
  await tf.setBackend('wasm');
  await tf.ready();
  expect(tf.getBackend()).toBe('wasm');
});

afterAll(async () => {
  setWasmKernelMode('auto');
  await tf.setBackend('cpu');
});

describe('wasm kernel configs', () => {
  it('has one wasm config per kernel name', () => {
    expect(wasmKernelConfigs.map((c) => c.kernelName).sort()).toEqual([...names.ALL_KERNELS].sort());
    for (const c of wasmKernelConfigs) expect(c.backendName).toBe('wasm');
  });
});

describe('kernel math', () => {
  it('vectorised exp has relative error < 1e-6 over [-87, 88] and exp(-inf) = 0', () => {
    const k = getSimdKernels();
    const n = 20003;
    const [xo, yo] = k.layout([n * 4, n * 4]);
    const x = k.f32(xo!, n);
    for (let i = 0; i < n - 3; i++) x[i] = -87 + (175 * i) / (n - 4);
    x[n - 3] = 0;
    x[n - 2] = -1e30;
    x[n - 1] = -Infinity;
    k.fn.qm_vexp(xo!, yo!, n);
    const y = k.f32(yo!, n);
    let worst = 0;
    for (let i = 0; i < n - 2; i++) worst = Math.max(worst, Math.abs(y[i]! / Math.exp(x[i]!) - 1));
    expect(worst).toBeLessThan(1e-6);
    expect(y[n - 3]).toBe(1);
    expect(y[n - 2]).toBe(0);
    expect(y[n - 1]).toBe(0);
  });

  it('scalar log is accurate to 1e-14', () => {
    const k = getSimdKernels();
    const xs = [1e-30, 0.3, 0.7071, 1, 1.4143, 2, 10, 8192, 3.5e12];
    const [xo, yo] = k.layout([xs.length * 8, xs.length * 8]);
    k.f64(xo!, xs.length).set(xs);
    k.fn.qm_vlog(xo!, yo!, xs.length);
    const y = k.f64(yo!, xs.length);
    xs.forEach((x, i) => expect(Math.abs(y[i]! - Math.log(x))).toBeLessThan(1e-14 * Math.max(1, Math.abs(Math.log(x)))));
  });
});

describe('zero-copy path', () => {
  const backendWasm = () => (tf.findBackend('wasm') as unknown as { wasm: object }).wasm;

  it("is selected for tfjs' (non-shared, single-threaded here) memory, and not in mode 'copy'", () => {
    expect(getWasmKernelMode()).toBe('auto');
    const zc = zeroCopyKernels(backendWasm());
    expect(zc).not.toBeNull();
    expect(zc!.shared).toBe(false);
    expect(zeroCopyKernels(backendWasm())).toBe(zc); // instantiated once per backend
    setWasmKernelMode('copy');
    try {
      expect(zeroCopyKernels(backendWasm())).toBeNull();
    } finally {
      setWasmKernelMode('auto');
    }
    expect(() => setWasmKernelMode('fast' as WasmKernelMode)).toThrow(/mode must be 'auto' or 'copy', got fast/);
  });

  it('falls back (null) when the tfjs module exposes no memory or no allocator', () => {
    expect(zeroCopyKernels({})).toBeNull();
    expect(zeroCopyKernels({ asm: { memory: new WebAssembly.Memory({ initial: 2 }) } })).toBeNull();
  });

  it('runs on a shared memory (the threaded tfjs build) through the shared variant, touching only its buffers', () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 1024, shared: true });
    let top = 4096;
    const fake = {
      wasmMemory: memory,
      _malloc: (bytes: number) => ((top += bytes + 16), top - bytes - 16),
      _free: () => undefined,
    };
    const zc = zeroCopyKernels(fake);
    expect(zc).not.toBeNull();
    expect(zc!.shared).toBe(true);
    const n = 37;
    const [g, u, y] = [zc!.malloc(n * 4), zc!.malloc(n * 4), zc!.malloc(n * 4 + 16)];
    const heap = new Float32Array(memory.buffer);
    const gate = randnArray(n, 30, 4);
    const up = randnArray(n, 31);
    heap.set(gate, g / 4);
    heap.set(up, u / 4);
    heap.fill(-7, y / 4, y / 4 + n + 4); // canary after the output
    const before = new Float32Array(heap);
    zc!.fn.qm_swiglu_fwd(g, u, y, n);
    const out = heap.slice(y / 4, y / 4 + n);
    expectClose(
      out,
      Array.from(gate, (x, i) => (x * up[i]!) / (1 + Math.exp(-x))),
      1e-6,
    );
    // Nothing but the n output floats changed.
    for (let i = 0; i < heap.length; i++) {
      if (i >= y / 4 && i < y / 4 + n) continue;
      if (heap[i] !== before[i]) throw new Error(`shared variant wrote float index ${i} outside its output`);
    }
  });

  it('leaves its inputs unchanged (AdamW, SwiGLUGrad)', async () => {
    await tf.setBackend('wasm');
    const n = 21;
    const data = [randnArray(n, 40), randnArray(n, 41), randnArray(n, 42, 0.1), randnArray(n, 43, 0.1).map(Math.abs)];
    const [param, grad, m, v] = data.map((d) => tf.tensor1d(d));
    const attrs = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: 2 };
    const outs = tf.engine().runKernel(names.AdamW, { param: param!, grad: grad!, m: m!, v: v! }, attrs) as tf.Tensor[];
    const grads = tf.engine().runKernel(names.SwiGLUGrad, { dy: param!, gate: grad!, up: m! }) as tf.Tensor[];
    expect(Array.from(outs[0]!.dataSync())).not.toEqual(Array.from(data[0]!));
    [param, grad, m, v].forEach((t, i) => expect(Array.from(t!.dataSync())).toEqual(Array.from(data[i]!)));
    tf.dispose([...outs, ...grads, param!, grad!, m!, v!]);
  });
});

/** The kernel suites run on both paths: zero-copy on tfjs' heap ('auto' here) and the copy fallback. */
for (const mode of ['auto', 'copy'] as WasmKernelMode[]) describe(`wasm kernels, mode '${mode}'`, () => {
  beforeAll(() => setWasmKernelMode(mode));
  afterAll(() => setWasmKernelMode('auto'));

  describe('QmRmsNorm / QmRmsNormGrad', () => {
    const naive = (x: tf.Tensor, w: tf.Tensor) => naiveRmsNorm(x, w, 1e-5);
    for (const [rows, D] of [
      [5, 7],
      [3, 64],
      [2, 33],
    ] as const) {
      it(`matches the cpu composition and its gradient (rows ${rows}, D ${D})`, async () => {
        const inputs = {
          x: f32([rows, D], randnArray(rows * D, 1)),
          weight: f32([D], randnArray(D, 2)),
          dy: f32([rows, D], randnArray(rows * D, 3)),
        };
        const [y] = await runWasm(names.RmsNorm, { x: inputs.x, weight: inputs.weight }, { eps: 1e-5 });
        const [dx, dw] = await runWasm(names.RmsNormGrad, inputs, { eps: 1e-5 });
        const ref = await onCpu(inputs, (t) => [naive(t.x!, t.weight!), ...vjp(naive, [t.x!, t.weight!], t.dy!)]);
        expectClose(y!, ref[0]!);
        expectClose(dx!, ref[1]!);
        expectClose(dw!, ref[2]!);
      });
    }
  });

  describe('QmRope', () => {
    for (const [B, H, T, Dh, Bc] of [
      [2, 3, 5, 14, 1],
      [2, 2, 4, 16, 2],
    ] as const) {
      it(`matches the cpu composition (B ${B}, H ${H}, T ${T}, Dh ${Dh}, Bc ${Bc})`, async () => {
        const inputs = ropeInputs(B, H, T, Dh, Bc);
        const [y] = await runWasm(names.Rope, inputs);
        const [ref] = await onCpu(inputs, (t) => [naiveRope(t.x!, t.cos!, t.sin!)]);
        expectClose(y!, ref!);
      });
    }
  });

  describe('QmSwiGLU / QmSwiGLUGrad', () => {
    for (const n of [7, 64, 1029]) {
      it(`matches the cpu composition and its gradient (n ${n})`, async () => {
        const gate = randnArray(n, 7, 4);
        gate[0] = 95; // exp overflow range
        gate[1] = -95;
        const inputs = { gate: f32([n], gate), up: f32([n], randnArray(n, 8)), dy: f32([n], randnArray(n, 9)) };
        const [y] = await runWasm(names.SwiGLU, { gate: inputs.gate, up: inputs.up });
        const [dg, du] = await runWasm(names.SwiGLUGrad, inputs);
        const ref = await onCpu(inputs, (t) => [naiveSwiglu(t.gate!, t.up!), ...vjp(naiveSwiglu, [t.gate!, t.up!], t.dy!)]);
        expectClose(y!, ref[0]!);
        expectClose(dg!, ref[1]!);
        expectClose(du!, ref[2]!);
      });
    }
  });

  describe('QmCrossEntropy / QmCrossEntropyGrad', () => {
    const ignoreIndex = -100;
    const cases: [string, number, number, (l: Int32Array) => void][] = [
      ['V 13, some rows ignored', 9, 13, (l) => ((l[2] = ignoreIndex), (l[5] = ignoreIndex))],
      ['V 8192 (several lse blocks)', 3, 3000, () => {}],
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
        const [loss] = await runWasm(names.CrossEntropy, inputs, { ignoreIndex });
        const [dl] = await runWasm(names.CrossEntropyGrad, { dy, ...inputs }, { ignoreIndex });
        const ref = await crossEntropyReference(inputs, dy, ignoreIndex);
        expect(loss!.length).toBe(1);
        if (label === 'all rows ignored') {
          expect(loss![0]).toBe(0);
          expect(dl!.every((x) => x === 0)).toBe(true);
        } else {
          expectClose(loss!, ref[0]!);
          expectClose(dl!, ref[1]!);
        }
      });
    }
  });

  describe('QmTokenLogProbs / QmTokenLogProbsGrad', () => {
    for (const [N, V] of [
      [6, 13],
      [3, 2500],
    ] as const) {
      it(`matches the cpu composition and its gradient (N ${N}, V ${V})`, async () => {
        const dyData = randnArray(N, 14);
        dyData[1] = 0;
        const inputs = { logits: f32([N, V], randnArray(N * V, 12, 3)), ids: i32([N], randIntArray(N, V, 13)) };
        const dy = f32([N], dyData);
        const [lp] = await runWasm(names.TokenLogProbs, inputs);
        const [dl] = await runWasm(names.TokenLogProbsGrad, { dy, ...inputs });
        const ref = await tokenLogProbsReference(inputs, dy);
        expectClose(lp!, ref[0]!);
        expectClose(dl!, ref[1]!);
      });
    }
  });

  describe('QmAdamW', () => {
    for (const n of [7, 130]) {
      it(`matches the torch AdamW formula (n ${n})`, async () => {
        const attrs = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: 3 };
        const inputs = {
          param: f32([n], randnArray(n, 15)),
          grad: f32([n], randnArray(n, 16)),
          m: f32([n], randnArray(n, 17, 0.1)),
          v: f32([n], randnArray(n, 18, 0.1).map(Math.abs)),
        };
        const out = await runWasm(names.AdamW, inputs, attrs);
        const ref = await onCpu(inputs, ({ param, grad, m, v }) => naiveAdamW(param!, grad!, m!, v!, attrs));
        for (let i = 0; i < 3; i++) expectClose(out[i]!, ref[i]!);
      });
    }
  });

  describe('QmCausalAttention / QmCausalAttentionGrad', () => {
    const cases: AttentionCase[] = [
      { label: 'single block, Dh 7', B: 1, Hq: 2, Hkv: 2, Tq: 9, Tk: 9, Dh: 7 },
      { label: 'several 32-row query blocks', B: 1, Hq: 2, Hkv: 1, Tq: 70, Tk: 70, Dh: 9 },
      {
        label: 'GQA, Tk > Tq, keyMask with empty rows',
        B: 2,
        Hq: 4,
        Hkv: 2,
        Tq: 50,
        Tk: 53,
        Dh: 6,
        mask: emptyRowsMask(17, 40),
        maskDtype: 'int32',
      },
      DECODE_STEP_CASE,
    ];

    for (const c of cases) {
      it(`matches the naive composition and its gradient (${c.label})`, async () => {
        const d = attentionData(c);
        const { inputs, dy, scale } = d;
        const [o] = await runWasm(names.CausalAttention, inputs, { scale });
        const [dq, dk, dv] = await runWasm(names.CausalAttentionGrad, { dy, ...inputs }, { scale });
        const ref = await attentionReference(d);
        expectClose(o!, ref[0]!);
        expectClose(dq!, ref[1]!);
        expectClose(dk!, ref[2]!);
        expectClose(dv!, ref[3]!);
        // Batch 1, query 0 of every head: no allowed key -> zero output and zero dq.
        if (c.label.includes('empty rows')) expectEmptyRowZero(c, o!, dq!);
      });
    }
  });
});
