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

type Arr = Float32Array | Int32Array;

/** Seeded uniform generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randn(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12);
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

function randInt(n: number, hi: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(r() * hi));
}

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

interface Spec {
  shape: number[];
  data: Arr;
}
const f32 = (shape: number[], data: Float32Array): Spec => ({ shape, data });
const i32 = (shape: number[], data: Int32Array): Spec => ({ shape, data });
const mk = (s: Spec) => tf.tensor(s.data, s.shape, s.data instanceof Int32Array ? 'int32' : 'float32');

/** Runs a kernel on wasm; returns its outputs' data and checks that nothing leaked. */
async function runWasm(name: string, inputs: Record<string, Spec>, attrs: object = {}): Promise<Float32Array[]> {
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, s] of Object.entries(inputs)) ts[k] = mk(s);
  const out = tf.engine().runKernel(name, ts, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  const data = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  tf.dispose(Object.values(ts));
  expect(tf.memory().numTensors).toBe(before);
  return data;
}

/** Runs a reference on cpu, with the tensors made from `inputs`. */
async function onCpu(inputs: Record<string, Spec>, fn: (t: Record<string, tf.Tensor>) => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend('cpu');
  return tf.tidy(() => {
    const ts: Record<string, tf.Tensor> = {};
    for (const [k, s] of Object.entries(inputs)) ts[k] = mk(s);
    return fn(ts).map((t) => t.dataSync() as Float32Array);
  });
}

/** Gradients of Σ f(xs) * dy with respect to xs. */
function vjp(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  return tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), dy)))(xs);
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
    const gate = randn(n, 30, 4);
    const up = randn(n, 31);
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
    const data = [randn(n, 40), randn(n, 41), randn(n, 42, 0.1), randn(n, 43, 0.1).map(Math.abs)];
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
    const naive = (x: tf.Tensor, w: tf.Tensor) =>
      tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-5))), w);
    for (const [rows, D] of [
      [5, 7],
      [3, 64],
      [2, 33],
    ] as const) {
      it(`matches the cpu composition and its gradient (rows ${rows}, D ${D})`, async () => {
        const inputs = {
          x: f32([rows, D], randn(rows * D, 1)),
          weight: f32([D], randn(D, 2)),
          dy: f32([rows, D], randn(rows * D, 3)),
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
    const naive = (x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor) => {
      const [B, H, T, Dh] = x.shape as number[];
      const h = Dh! / 2;
      const x1 = tf.slice(x, [0, 0, 0, 0], [B!, H!, T!, h]);
      const x2 = tf.slice(x, [0, 0, 0, h], [B!, H!, T!, h]);
      const c = tf.expandDims(cos, 1);
      const s = tf.expandDims(sin, 1);
      return tf.concat([tf.sub(tf.mul(x1, c), tf.mul(x2, s)), tf.add(tf.mul(x2, c), tf.mul(x1, s))], -1);
    };
    for (const [B, H, T, Dh, Bc] of [
      [2, 3, 5, 14, 1],
      [2, 2, 4, 16, 2],
    ] as const) {
      it(`matches the cpu composition (B ${B}, H ${H}, T ${T}, Dh ${Dh}, Bc ${Bc})`, async () => {
        const h = Dh / 2;
        const inputs = {
          x: f32([B, H, T, Dh], randn(B * H * T * Dh, 4)),
          cos: f32([Bc, T, h], randn(Bc * T * h, 5)),
          sin: f32([Bc, T, h], randn(Bc * T * h, 6)),
        };
        const [y] = await runWasm(names.Rope, inputs);
        const [ref] = await onCpu(inputs, (t) => [naive(t.x!, t.cos!, t.sin!)]);
        expectClose(y!, ref!);
      });
    }
  });

  describe('QmSwiGLU / QmSwiGLUGrad', () => {
    const naive = (g: tf.Tensor, u: tf.Tensor) => tf.mul(tf.mul(g, tf.sigmoid(g)), u);
    for (const n of [7, 64, 1029]) {
      it(`matches the cpu composition and its gradient (n ${n})`, async () => {
        const gate = randn(n, 7, 4);
        gate[0] = 95; // exp overflow range
        gate[1] = -95;
        const inputs = { gate: f32([n], gate), up: f32([n], randn(n, 8)), dy: f32([n], randn(n, 9)) };
        const [y] = await runWasm(names.SwiGLU, { gate: inputs.gate, up: inputs.up });
        const [dg, du] = await runWasm(names.SwiGLUGrad, inputs);
        const ref = await onCpu(inputs, (t) => [naive(t.gate!, t.up!), ...vjp(naive, [t.gate!, t.up!], t.dy!)]);
        expectClose(y!, ref[0]!);
        expectClose(dg!, ref[1]!);
        expectClose(du!, ref[2]!);
      });
    }
  });

  describe('QmCrossEntropy / QmCrossEntropyGrad', () => {
    const ignoreIndex = -100;
    const naive = (logits: tf.Tensor, labels: tf.Tensor) => {
      const keep = tf.cast(tf.notEqual(labels, ignoreIndex), 'float32');
      const safe = tf.where(tf.notEqual(labels, ignoreIndex), labels, tf.zerosLike(labels));
      const oh = tf.oneHot(tf.cast(safe, 'int32'), logits.shape[1]!);
      const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oh), -1));
      return tf.div(tf.sum(tf.mul(nll, keep)), tf.maximum(tf.sum(keep), 1));
    };
    const cases: [string, number, number, (l: Int32Array) => void][] = [
      ['V 13, some rows ignored', 9, 13, (l) => ((l[2] = ignoreIndex), (l[5] = ignoreIndex))],
      ['V 8192 (several lse blocks)', 3, 3000, () => {}],
      ['all rows ignored', 4, 13, (l) => l.fill(ignoreIndex)],
    ];
    for (const [label, N, V, edit] of cases) {
      it(`matches the cpu composition and its gradient (${label})`, async () => {
        const logits = randn(N * V, 10, 3);
        logits[1] = 60; // large logits: lse must be max-subtracted
        const labels = randInt(N, V, 11);
        edit(labels);
        const inputs = { logits: f32([N, V], logits), labels: i32([N], labels) };
        const dy = f32([], Float32Array.of(1.7));
        const [loss] = await runWasm(names.CrossEntropy, inputs, { ignoreIndex });
        const [dl] = await runWasm(names.CrossEntropyGrad, { dy, ...inputs }, { ignoreIndex });
        const ref = await onCpu({ ...inputs, dy }, (t) => [
          naive(t.logits!, t.labels!),
          tf.mul(tf.grad((x: tf.Tensor) => naive(x, t.labels!))(t.logits!), t.dy!),
        ]);
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
    const naive = (logits: tf.Tensor, ids: tf.Tensor) =>
      tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(ids, logits.shape[1]!)), -1);
    for (const [N, V] of [
      [6, 13],
      [3, 2500],
    ] as const) {
      it(`matches the cpu composition and its gradient (N ${N}, V ${V})`, async () => {
        const dyData = randn(N, 14);
        dyData[1] = 0;
        const inputs = { logits: f32([N, V], randn(N * V, 12, 3)), ids: i32([N], randInt(N, V, 13)) };
        const dy = f32([N], dyData);
        const [lp] = await runWasm(names.TokenLogProbs, inputs);
        const [dl] = await runWasm(names.TokenLogProbsGrad, { dy, ...inputs });
        const ref = await onCpu({ ...inputs, dy }, (t) => [
          naive(t.logits!, t.ids!),
          ...vjp((x) => naive(x, t.ids!), [t.logits!], t.dy!),
        ]);
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
          param: f32([n], randn(n, 15)),
          grad: f32([n], randn(n, 16)),
          m: f32([n], randn(n, 17, 0.1)),
          v: f32([n], randn(n, 18, 0.1).map(Math.abs)),
        };
        const out = await runWasm(names.AdamW, inputs, attrs);
        const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd, step } = attrs;
        const ref = await onCpu(inputs, ({ param, grad, m, v }) => {
          const m2 = tf.add(tf.mul(b1, m!), tf.mul(1 - b1, grad!));
          const v2 = tf.add(tf.mul(b2, v!), tf.mul(1 - b2, tf.square(grad!)));
          const mhat = tf.div(m2, 1 - b1 ** step);
          const vhat = tf.div(v2, 1 - b2 ** step);
          const p = tf.sub(tf.mul(param!, 1 - lr * wd), tf.mul(lr, tf.div(mhat, tf.add(tf.sqrt(vhat), eps))));
          return [p, m2, v2];
        });
        for (let i = 0; i < 3; i++) expectClose(out[i]!, ref[i]!);
      });
    }
  });

  describe('QmCausalAttention / QmCausalAttentionGrad', () => {
    /** Naive attention: GQA by repeating k/v heads, -1e9 bias for disallowed keys, empty rows zeroed. */
    function naive(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask: Float32Array | null, scale: number): tf.Tensor {
      const [B, Hq, Tq] = q.shape as number[];
      const [, Hkv, Tk] = k.shape as number[];
      const G = Hq! / Hkv!;
      const allowed = new Float32Array(B! * Tq! * Tk!);
      const any = new Float32Array(B! * Tq!);
      for (let b = 0; b < B!; b++)
        for (let i = 0; i < Tq!; i++)
          for (let j = 0; j < Tk!; j++) {
            const ok = j <= Tk! - Tq! + i && (!mask || mask[b * Tk! + j] !== 0);
            if (ok) {
              allowed[(b * Tq! + i) * Tk! + j] = 1;
              any[b * Tq! + i] = 1;
            }
          }
      const heads = tf.tensor1d(
        Array.from({ length: Hq! }, (_, h) => Math.floor(h / G)),
        'int32',
      );
      const rep = (x: tf.Tensor) => tf.gather(x, heads, 1);
      const bias = tf.reshape(tf.mul(tf.sub(1, tf.tensor(allowed)), -1e9), [B!, 1, Tq!, Tk!]);
      const s = tf.add(tf.mul(tf.matMul(q, rep(k), false, true), scale), bias);
      const p = tf.mul(tf.softmax(s), tf.reshape(tf.tensor(any), [B!, 1, Tq!, 1]));
      return tf.matMul(p, rep(v));
    }

    const cases: {
      label: string;
      B: number;
      Hq: number;
      Hkv: number;
      Tq: number;
      Tk: number;
      Dh: number;
      mask?: (B: number, Tk: number) => Float32Array;
      maskDtype?: 'float32' | 'int32';
    }[] = [
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
        mask: (B, Tk) => {
          const m = new Float32Array(B * Tk).fill(1);
          for (let j = 0; j < 6; j++) m[Tk + j] = 0; // batch 1: queries 0..2 see no key
          m[17] = 0;
          m[40] = 0;
          return m;
        },
        maskDtype: 'int32',
      },
      {
        label: 'decode step with float keyMask',
        B: 2,
        Hq: 2,
        Hkv: 1,
        Tq: 1,
        Tk: 11,
        Dh: 5,
        mask: (B, Tk) => Float32Array.from({ length: B * Tk }, (_, i) => (i % 3 === 1 ? 0 : 1)),
      },
    ];

    for (const c of cases) {
      it(`matches the naive composition and its gradient (${c.label})`, async () => {
        const { B, Hq, Hkv, Tq, Tk, Dh } = c;
        const scale = 1 / Math.sqrt(Dh);
        const maskData = c.mask ? c.mask(B, Tk) : null;
        const inputs: Record<string, Spec> = {
          q: f32([B, Hq, Tq, Dh], randn(B * Hq * Tq * Dh, 20)),
          k: f32([B, Hkv, Tk, Dh], randn(B * Hkv * Tk * Dh, 21)),
          v: f32([B, Hkv, Tk, Dh], randn(B * Hkv * Tk * Dh, 22)),
        };
        if (maskData) {
          inputs.keyMask = c.maskDtype === 'int32' ? i32([B, Tk], Int32Array.from(maskData)) : f32([B, Tk], maskData);
        }
        const dy = f32([B, Hq, Tq, Dh], randn(B * Hq * Tq * Dh, 23));
        const [o] = await runWasm(names.CausalAttention, inputs, { scale });
        const [dq, dk, dv] = await runWasm(names.CausalAttentionGrad, { dy, ...inputs }, { scale });
        const ref = await onCpu({ ...inputs, dy }, (t) => {
          const f = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => naive(q, k, v, maskData, scale);
          return [f(t.q!, t.k!, t.v!), ...vjp(f, [t.q!, t.k!, t.v!], t.dy!)];
        });
        expectClose(o!, ref[0]!);
        expectClose(dq!, ref[1]!);
        expectClose(dk!, ref[2]!);
        expectClose(dv!, ref[3]!);
        if (c.label.includes('empty rows')) {
          // Batch 1, query 0 of every head: no allowed key -> zero output and zero dq.
          for (let h = 0; h < Hq; h++) {
            const base = ((1 * Hq + h) * Tq + 0) * Dh;
            for (let d = 0; d < Dh; d++) {
              expect(o![base + d]).toBe(0);
              expect(dq![base + d]).toBe(0);
            }
          }
        }
      });
    }
  });
});
