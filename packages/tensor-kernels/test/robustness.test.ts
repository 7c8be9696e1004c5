/**
 * Bad input on every op and backend: out-of-range labels / ids, wrong dtypes, empty sizes. The contract
 * (see the ops' TSDoc): a typed `KernelInputError` before any kernel runs where labels can be read back
 * cheaply (cpu, wasm); where they are not read (webgpu, or `validate: false`), and for kernels called
 * directly through `tf.engine().runKernel`, no kernel reads or writes out of bounds and the bad rows are
 * NaN. The wasm C kernels are also called on their own memory to prove that they write nothing outside
 * their outputs, whatever the indices and sizes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TensorKernelsError } from '../src/error';
import { KernelInputError } from '../src/kernels/kernel-input-error';
import * as names from '../src/kernels/names';
import { getSimdKernels } from '../src/kernels/wasm/simd-module';
import { adamw, causalAttention, crossEntropy, rmsNorm, rope, swiglu, tokenLogProbs } from '../src/index';
import { ALL_TEST_BACKENDS, activateBackend, isSkipped } from './helpers/backends';
import { randnArray } from './helpers/random';

/** The error `f` throws (fails the test when it throws nothing). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

function expectInputError(f: () => unknown, op: string, field: string, message: RegExp): void {
  const e = thrown(f);
  expect(e).toBeInstanceOf(KernelInputError);
  expect(e).toBeInstanceOf(TensorKernelsError);
  const k = e as KernelInputError;
  expect([k.name, k.op, k.field]).toEqual(['KernelInputError', op, field]);
  expect(k.message).toMatch(message);
}

const rowsOf = async (t: tf.Tensor): Promise<number[][]> => (await t.array()) as number[][];
const valuesOf = async (t: tf.Tensor): Promise<number[]> => Array.from(await t.data());
const allNaN = (xs: number[]) => xs.every(Number.isNaN);
const allFinite = (xs: number[]) => xs.every(Number.isFinite);

for (const backend of ALL_TEST_BACKENDS) {
  describe.skipIf(isSkipped(backend))(`bad input on ${backend}`, () => {
    beforeAll(async () => {
      await activateBackend(backend);
    });

    const logits = () => tf.tensor2d(randnArray(12, 1), [3, 4]);
    const bad = () => tf.tensor1d([0, 4, -3], 'int32');

    if (backend !== 'webgpu') {
      it('out-of-range labels / ids are a KernelInputError before any kernel runs', () => {
        const l = logits();
        const before = tf.memory().numTensors;
        expectInputError(() => crossEntropy(l, bad()), 'crossEntropy', 'labels', /crossEntropy: labels\[1\] is 4, outside \[0, 4\)/);
        expectInputError(() => crossEntropy(l, tf.tensor1d([-1, 0, 0], 'int32')), 'crossEntropy', 'labels', /labels\[0\] is -1/);
        expectInputError(() => tokenLogProbs(l, tf.tensor1d([0, 1, 9], 'int32')), 'tokenLogProbs', 'ids', /tokenLogProbs: ids\[2\] is 9, outside \[0, 4\)/);
        expect(tf.memory().numTensors).toBe(before + 3); // the label tensors made here, nothing else
      });
    }

    it('out-of-range labels without validation (and ids on webgpu): NaN rows, no out-of-bounds access', async () => {
      const l = logits();
      const labels = bad();
      const loss = crossEntropy(l, labels, { validate: false });
      expect((await valuesOf(loss))[0]).toBeNaN();
      const [g] = tf.grads((x: tf.Tensor) => crossEntropy(x, labels, { validate: false }))([l]);
      const gr = await rowsOf(g!);
      expect([allFinite(gr[0]!), allNaN(gr[1]!), allNaN(gr[2]!)]).toEqual([true, true, true]);
      if (backend === 'webgpu') {
        // ids are not read back on webgpu: the kernels guard the index instead
        const y = await valuesOf(tokenLogProbs(l, labels));
        expect([Number.isFinite(y[0]!), Number.isNaN(y[1]!), Number.isNaN(y[2]!)]).toEqual([true, true, true]);
        const [gt] = tf.grads((x: tf.Tensor) => tokenLogProbs(x, labels))([l]);
        const r = await rowsOf(gt!);
        expect([allFinite(r[0]!), allNaN(r[1]!), allNaN(r[2]!)]).toEqual([true, true, true]);
      }
      // the next op runs normally (an out-of-bounds write used to corrupt the wasm heap and hang it)
      expect(await valuesOf(tf.add(l, 1))).toHaveLength(12);
    });

    it('kernels called through runKernel guard their indices (NaN rows, never out of bounds)', async () => {
      const l = logits();
      const labels = bad();
      const e = tf.engine();
      const loss = e.runKernel(names.CrossEntropy, { logits: l, labels }, { ignoreIndex: -100 }) as tf.Tensor;
      expect((await valuesOf(loss))[0]).toBeNaN();
      const dl = e.runKernel(names.CrossEntropyGrad, { dy: tf.scalar(1), logits: l, labels }, { ignoreIndex: -100 }) as tf.Tensor;
      const r = await rowsOf(dl);
      expect([allFinite(r[0]!), allNaN(r[1]!), allNaN(r[2]!)]).toEqual([true, true, true]);
      const lp = await valuesOf(e.runKernel(names.TokenLogProbs, { logits: l, ids: labels }, {}) as tf.Tensor);
      expect([Number.isFinite(lp[0]!), Number.isNaN(lp[1]!), Number.isNaN(lp[2]!)]).toEqual([true, true, true]);
      const dt = e.runKernel(names.TokenLogProbsGrad, { dy: tf.ones([3]), logits: l, ids: labels }, {}) as tf.Tensor;
      const rt = await rowsOf(dt);
      expect([allFinite(rt[0]!), allNaN(rt[1]!), allNaN(rt[2]!)]).toEqual([true, true, true]);
      expect((await valuesOf(tf.sum(tf.add(l, 1))))[0]).toBeCloseTo((await valuesOf(tf.sum(l)))[0]! + 12, 4);
    });

    it('wrong dtypes are a KernelInputError naming the op and the field', () => {
      const l = logits();
      expectInputError(() => crossEntropy(l, tf.tensor1d([0, 1, 2])), 'crossEntropy', 'labels', /labels must be int32, got float32/);
      expectInputError(() => tokenLogProbs(l, tf.tensor1d([0, 1, 2])), 'tokenLogProbs', 'ids', /ids must be int32, got float32/);
      expectInputError(() => crossEntropy(tf.cast(l, 'int32'), tf.tensor1d([0, 1, 2], 'int32')), 'crossEntropy', 'logits', /logits must be float32/);
      expectInputError(() => swiglu(tf.zeros([2], 'int32'), tf.zeros([2])), 'swiglu', 'gate', /gate must be float32, got int32/);
      expectInputError(() => adamw(tf.zeros([2]), tf.zeros([2]), tf.zeros([2]), tf.zeros([2]), { lr: 1, step: 0 }), 'adamw', 'options.step', /step must be >= 1/);
      expectInputError(() => causalAttention(tf.zeros([1, 1, 2, 0]), tf.zeros([1, 1, 2, 0]), tf.zeros([1, 1, 2, 0])), 'causalAttention', 'q', /head dim 0/);
    });

    it('empty sizes give empty results and gradients on every op (never a raw tfjs error)', async () => {
      const shapes: number[][] = [];
      const keep = (ts: tf.Tensor[]) => ts.forEach((t) => shapes.push(t.shape.slice()));
      // rmsNorm: no rows; D = 0
      for (const [x, w] of [[tf.zeros([0, 4]), tf.ones([4])], [tf.zeros([3, 0]), tf.ones([0])]] as const) {
        keep([rmsNorm(x, w), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => rmsNorm(a, b))([x, w])]);
      }
      // rope: B = 0, T = 0
      for (const x of [tf.zeros([0, 2, 3, 4]), tf.zeros([1, 2, 0, 4])]) {
        keep([rope(x, { offset: 1 }), ...tf.grads((a: tf.Tensor) => rope(a, { offset: 1 }))([x])]);
      }
      // attention: B = 0, Tq = 0 (with and without keys), Hq = 0
      for (const [q, k] of [
        [tf.zeros([0, 2, 3, 4]), tf.zeros([0, 1, 3, 4])],
        [tf.zeros([1, 2, 0, 4]), tf.zeros([1, 1, 3, 4])],
        [tf.zeros([1, 2, 0, 4]), tf.zeros([1, 1, 0, 4])],
        [tf.zeros([1, 0, 2, 4]), tf.zeros([1, 1, 2, 4])],
      ] as const) {
        keep([causalAttention(q, k, k), ...tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => causalAttention(a, b, c))([q, k, k])]);
        const mask = tf.ones([k.shape[0]!, k.shape[2]!]);
        keep([causalAttention(q, k, k, { keyMask: mask })]);
      }
      const g = tf.zeros([0, 3]);
      keep([swiglu(g, g), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => swiglu(a, b))([g, g])]);
      const l0 = tf.zeros([0, 5]);
      const n0 = tf.tensor1d([], 'int32');
      const ce = crossEntropy(l0, n0);
      expect((await valuesOf(ce))[0]).toBe(0);
      keep([ce, ...tf.grads((a: tf.Tensor) => crossEntropy(a, n0))([l0])]);
      keep([tokenLogProbs(l0, n0), ...tf.grads((a: tf.Tensor) => tokenLogProbs(a, n0))([l0])]);
      const lead0 = tf.zeros([2, 0, 5]);
      keep([tokenLogProbs(lead0, tf.zeros([2, 0], 'int32'))]);
      const p0 = tf.zeros([0]);
      const r = adamw(p0, p0, p0, p0, { lr: 0.1, step: 1 });
      keep([r.param, r.m, r.v]);
      expect(shapes).toEqual([
        [0, 4], [0, 4], [4], [3, 0], [3, 0], [0],
        [0, 2, 3, 4], [0, 2, 3, 4], [1, 2, 0, 4], [1, 2, 0, 4],
        [0, 2, 3, 4], [0, 2, 3, 4], [0, 1, 3, 4], [0, 1, 3, 4], [0, 2, 3, 4],
        [1, 2, 0, 4], [1, 2, 0, 4], [1, 1, 3, 4], [1, 1, 3, 4], [1, 2, 0, 4],
        [1, 2, 0, 4], [1, 2, 0, 4], [1, 1, 0, 4], [1, 1, 0, 4], [1, 2, 0, 4],
        [1, 0, 2, 4], [1, 0, 2, 4], [1, 1, 2, 4], [1, 1, 2, 4], [1, 0, 2, 4],
        [0, 3], [0, 3], [0, 3],
        [], [0, 5],
        [0], [0, 5],
        [2, 0],
        [0], [0], [0],
      ]);
      // gradients of empty query sets are zeros for the keys
      const q = tf.zeros([1, 2, 0, 4]);
      const k = tf.tensor4d(randnArray(12, 3), [1, 1, 3, 4]);
      const [, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) => causalAttention(a, b, b))([q, k]);
      expect(await valuesOf(dk!)).toEqual(new Array(12).fill(0));
    });
  });
}

describe('wasm C kernels write nothing outside their outputs, whatever the indices and sizes', () => {
  /** Runs `call` on regions laid out in the kernel module's own memory; returns the output and checks the rest is untouched. */
  function guarded(sizes: number[], fill: (views: Float32Array[], offs: number[]) => void, call: (offs: number[]) => void, outIndex: number[]): Float32Array[] {
    const k = getSimdKernels();
    const canary = 64;
    const offs = k.layout(sizes.flatMap((s) => [canary * 4, s * 4])).filter((_, i) => i % 2 === 1);
    const mem = () => new Float32Array(k.fn.memory.buffer);
    const start = offs[0]! / 4 - canary;
    const end = offs[offs.length - 1]! / 4 + sizes[sizes.length - 1]! + canary;
    mem().fill(-7.25, start, end);
    fill(offs.map((o, i) => k.f32(o, sizes[i]!)), offs);
    const before = mem().slice(start, end);
    call(offs);
    const after = mem().slice(start, end);
    for (let i = 0; i < after.length; i++) {
      const at = (start + i) * 4;
      const inOut = outIndex.some((j) => at >= offs[j]! && at < offs[j]! + sizes[j]! * 4);
      if (!inOut && !Object.is(after[i], before[i])) throw new Error(`a kernel wrote float ${start + i}, outside its outputs`);
    }
    return outIndex.map((j) => k.f32(offs[j]!, sizes[j]!).slice());
  }

  const N = 4;
  const V = 5;
  const labels = Int32Array.of(2, 5, -100, -7); // 5 >= V and -7 < 0 (ignoreIndex -100)
  const fillLogits = (v: Float32Array[], offs: number[]) => {
    v[0]!.set(randnArray(N * V, 9));
    new Int32Array(v[1]!.buffer, offs[1]!, N).set(labels);
  };

  it('cross-entropy forward and backward: NaN for out-of-range labels', () => {
    const k = getSimdKernels();
    let loss = 0;
    guarded([N * V, N], fillLogits, (o) => (loss = k.fn.qm_xent_fwd(o[0]!, o[1]!, N, V, -100)), []);
    expect(loss).toBeNaN();
    const [d] = guarded([N * V, N, N * V], fillLogits, (o) => k.fn.qm_xent_bwd(1, o[0]!, o[1]!, o[2]!, N, V, -100), [2]);
    const row = (r: number) => Array.from(d!.slice(r * V, r * V + V));
    expect([allFinite(row(0)), allNaN(row(1)), row(2).every((x) => x === 0), allNaN(row(3))]).toEqual([true, true, true, true]);
  });

  it('token log-probs forward and backward: NaN for out-of-range ids', () => {
    const k = getSimdKernels();
    const ids = (v: Float32Array[], offs: number[]) => {
      v[0]!.set(randnArray(N * V, 10));
      new Int32Array(v[1]!.buffer, offs[1]!, N).set(Int32Array.of(0, 5, -1, 4));
    };
    const [y] = guarded([N * V, N, N], ids, (o) => k.fn.qm_tlp_fwd(o[0]!, o[1]!, o[2]!, N, V), [2]);
    expect([Number.isFinite(y![0]!), Number.isNaN(y![1]!), Number.isNaN(y![2]!), Number.isFinite(y![3]!)]).toEqual([true, true, true, true]);
    const withDy = (v: Float32Array[], offs: number[]) => {
      ids(v, offs);
      v[2]!.fill(1);
    };
    const [d] = guarded([N * V, N, N, N * V], withDy, (o) => k.fn.qm_tlp_bwd(o[2]!, o[0]!, o[1]!, o[3]!, N, V), [3]);
    expect(allNaN(Array.from(d!.slice(V, 3 * V)))).toBe(true);
    expect(allFinite(Array.from(d!.slice(0, V))) && allFinite(Array.from(d!.slice(3 * V)))).toBe(true);
  });

  it('attention with inconsistent sizes fills its outputs with NaN (no trap, no write past them)', () => {
    const k = getSimdKernels();
    const [B, Hq, Tq, Tk, Dh] = [1, 2, 3, 3, 4];
    const n = B * Hq * Tq * Dh;
    const scratch = k.fn.qm_attn_scratch_bytes(Tk, Dh) / 4;
    const fill = (v: Float32Array[]) => v.slice(0, 3).forEach((x, i) => x.set(randnArray(x.length, 20 + i)));
    for (const [Hkv, tk] of [[0, Tk], [3, Tk], [1, Tq - 1]] as const) {
      // Hkv = 0 (division by zero), Hkv not dividing Hq, Tk < Tq
      const [out] = guarded([n, n, n, n, scratch], fill, (o) => k.fn.qm_attn_fwd(o[0]!, o[1]!, o[2]!, 0, o[3]!, o[4]!, B, Hq, Hkv, Tq, tk, Dh, 0.5), [3, 4]);
      expect(allNaN(Array.from(out!))).toBe(true);
    }
    expect(k.fn.qm_attn_scratch_bytes(1 << 20, 1 << 12)).toBe(-1); // would overflow 2^31 bytes
    expect(k.fn.qm_attn_scratch_bytes(-1, 4)).toBe(-1);
  });

  it('rope with a table batch that matches neither 1 nor B reads only the first table row', () => {
    const k = getSimdKernels();
    const [B, H, T, Dh] = [2, 1, 2, 4];
    const n = B * H * T * Dh;
    const fill = (v: Float32Array[]) => v.slice(0, 3).forEach((x, i) => x.set(randnArray(x.length, 30 + i)));
    const [y] = guarded([n, T * 2, T * 2, n], fill, (o) => k.fn.qm_rope(o[0]!, o[1]!, o[2]!, o[3]!, B, H, T, Dh, 3), [3]);
    expect(allFinite(Array.from(y!))).toBe(true);
  });
});
