/**
 * The native backend: BatchMatMul / _FusedMatMul through BLAS in every transpose combination with batch
 * broadcasting (against tfjs' cpu backend), one-row products (sgemv), the heap-copy kernels (Concat,
 * GatherV2, small Add) against the wasm kernels bit for bit, tensors shared with wasm without copies, gradients of
 * matMul, `auto` choosing native when it is built, and the loader's reasons when it is not.
 * Skipped (with the reason) where the addon is not built, unless QUARKMED_REQUIRE_NATIVE=1.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/index';
import { loadNativeAddonFrom } from '../../src/node/native-addon';
import { NATIVE_UNAVAILABLE, REQUIRE_NATIVE, isSkipped } from '../helpers/backends';
import { randomNormal } from '../helpers/random';

type Values = { shape: number[]; values: Float32Array };

/** Runs f on `backend` with fresh inputs made from the same seeded values; returns the outputs' values. */
async function on(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Values[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const res = await Promise.all(list.map(async (t) => ({ shape: t.shape.slice(), values: (await t.data()) as Float32Array })));
  tf.dispose(list);
  return res;
}

function randn(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(Float32Array.from(randomNormal(shape.reduce((p, d) => p * d, 1), seed)), shape, 'float32');
}

/** max |a - b| / max(1, |b|) over all outputs (shapes must agree). */
function worst(got: Values[], ref: Values[]): number {
  expect(got.map((g) => g.shape)).toEqual(ref.map((r) => r.shape));
  let w = 0;
  got.forEach((g, k) => g.values.forEach((v, i) => (w = Math.max(w, Math.abs(v - ref[k]!.values[i]!) / Math.max(1, Math.abs(ref[k]!.values[i]!))))));
  return w;
}

/**
 * A float64 reference of tf.matMul with numpy-style batch broadcasting (tfjs' cpu backend returns too
 * few values for some broadcasts, e.g. [2, 3, M, K] × [3, K, N]).
 */
function referenceMatMul(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], ta: boolean, tb: boolean): Values {
  const ra = aShape.length, rb = bShape.length;
  const M = aShape[ta ? ra - 1 : ra - 2]!, K = aShape[ta ? ra - 2 : ra - 1]!, N = bShape[tb ? rb - 2 : rb - 1]!;
  const oa = aShape.slice(0, -2), ob = bShape.slice(0, -2);
  const rank = Math.max(oa.length, ob.length);
  const pa = [...new Array<number>(rank - oa.length).fill(1), ...oa], pb = [...new Array<number>(rank - ob.length).fill(1), ...ob];
  const out = pa.map((d, i) => Math.max(d, pb[i]!));
  const total = out.reduce((p, d) => p * d, 1);
  const values = new Float32Array(total * M * N);
  for (let i = 0; i < total; i++) {
    let rem = i, ia = 0, ib = 0, sa = 1, sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const c = rem % out[d]!;
      rem = Math.floor(rem / out[d]!);
      ia += (pa[d] === 1 ? 0 : c) * sa;
      ib += (pb[d] === 1 ? 0 : c) * sb;
      sa *= pa[d]!;
      sb *= pb[d]!;
    }
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) {
          const av = a[ia * M * K + (ta ? k * M + m : m * K + k)]!;
          const bv = b[ib * K * N + (tb ? n * K + k : k * N + n)]!;
          acc += av * bv;
        }
        values[(i * M + m) * N + n] = acc;
      }
  }
  return { shape: [...out, M, N], values };
}

async function compare(f: () => tf.Tensor | tf.Tensor[], tol = 1e-4): Promise<void> {
  const ref = await on('cpu', f);
  const got = await on('native', f);
  expect(worst(got, ref)).toBeLessThanOrEqual(tol);
}

describe.skipIf(isSkipped('native'))('native backend', () => {
  beforeAll(async () => {
    await initBackend('cpu', { log: false });
    const choice = await initBackend('native', { log: false });
    expect(choice.name).toBe('native');
    expect(choice.blas).toMatch(/\S/);
  });

  const combos = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const;
  for (const [ta, tb] of combos) {
    it(`BatchMatMul transposeA=${ta} transposeB=${tb} matches a float64 reference, with batch broadcasting`, async () => {
      await tf.setBackend('native');
      const M = 5, K = 7, N = 6;
      const aShape = (outer: number[]) => [...outer, ...(ta ? [K, M] : [M, K])];
      const bShape = (outer: number[]) => [...outer, ...(tb ? [N, K] : [K, N])];
      const cases: [number[], number[]][] = [
        [[], []],
        [[3], [3]],
        [[2, 3], [3]],
        [[3], []],
        [[], [4]],
        [[2, 1], [1, 3]],
        [[1], [2]],
      ];
      for (const [oa, ob] of cases) {
        const a = randn(aShape(oa), 1), b = randn(bShape(ob), 2);
        const ref = referenceMatMul(a.dataSync() as Float32Array, a.shape, b.dataSync() as Float32Array, b.shape, ta, tb);
        const got = tf.matMul(a, b, ta, tb);
        expect(worst([{ shape: got.shape, values: got.dataSync() as Float32Array }], [ref]), `[${oa}] x [${ob}]`).toBeLessThanOrEqual(1e-5);
        tf.dispose([a, b, got]);
      }
    });
  }

  it('large products (BLAS threads) and the folded [batch·M, K] × [K, N] path', async () => {
    await compare(() => tf.matMul(randn([2, 64, 96], 3), randn([96, 80], 4)));
    await compare(() => tf.matMul(randn([130, 257], 5), randn([257, 129], 6)));
  });

  it('one-row products (sgemv) in every transpose combination match a float64 reference, split over threads when large', async () => {
    await tf.setBackend('native');
    // [K, N] sizes: N not a multiple of 16; the last one above the threading threshold (K·N >= 2^22)
    for (const [K, N] of [[7, 5], [256, 688], [300, 37], [512, 8200]] as const) {
      for (const [ta, tb] of combos) {
        for (const outer of K * N > 1e6 ? [[]] : [[], [1]]) {
          const a = randn([...outer, ...(ta ? [K, 1] : [1, K])], 11), b = randn([...outer, ...(tb ? [N, K] : [K, N])], 12);
          const ref = referenceMatMul(a.dataSync() as Float32Array, a.shape, b.dataSync() as Float32Array, b.shape, ta, tb);
          const got = tf.matMul(a, b, ta, tb);
          expect(worst([{ shape: got.shape, values: got.dataSync() as Float32Array }], [ref]), `K ${K} N ${N} ta ${ta} tb ${tb} [${outer}]`).toBeLessThanOrEqual(1e-5);
          tf.dispose([a, b, got]);
        }
      }
    }
  });

  it('Concat, GatherV2 and small Add (copies on the heap) equal the wasm kernels bit for bit, with their fallbacks', async () => {
    const same = async (f: () => tf.Tensor | tf.Tensor[]) => {
      const ref = await on('wasm', f);
      const got = await on('native', f);
      expect(got.map((g) => g.shape)).toEqual(ref.map((r) => r.shape));
      got.forEach((g, k) => expect(Array.from(g.values)).toEqual(Array.from(ref[k]!.values)));
    };
    const ints = (shape: number[], seed: number) => tf.cast(tf.mul(randn(shape, seed), 100), 'int32');
    // Concat: every axis (negative too), 2 and 3 inputs, float32 and int32; the KV-cache shape
    for (const axis of [0, 1, 2, 3, -1]) {
      const shape = (n: number) => [2, 3, 4, 5].map((d, i) => (i === (axis + 4) % 4 ? n : d));
      await same(() => tf.concat([randn(shape(1), 1), randn(shape(3), 2)], axis));
      await same(() => tf.concat([ints(shape(2), 3), ints(shape(1), 4), ints(shape(2), 5)], axis));
    }
    await same(() => tf.concat([randn([1, 8, 37, 32], 6), randn([1, 8, 1, 32], 7)], 2));
    await same(() => tf.concat([randn([3], 8), randn([0], 9), randn([2], 10)], 0)); // an empty input: wasm's path
    await same(() => tf.concat([randn([2, 2], 8), tf.cast(ints([2, 2], 9), 'float32')], 1));
    // GatherV2: rows by 1-D and 2-D indices with repeats, int32 values; other axes / batchDims go to wasm
    const table = randn([10, 6], 11);
    await same(() => tf.gather(table, tf.tensor1d([3, 0, 9, 3], 'int32')));
    await same(() => tf.gather(table, tf.tensor2d([[1, 2], [2, 1]], [2, 2], 'int32')));
    await same(() => tf.gather(ints([5, 2, 3], 12), tf.tensor1d([4, 4, 0], 'int32')));
    await same(() => tf.gather(table, tf.tensor1d([5, 1], 'int32'), 1));
    await same(() => tf.gather(randn([2, 4, 3], 13), tf.tensor2d([[0, 3], [1, 1]], [2, 2], 'int32'), 1, 1));
    await same(() => tf.gather(randn([8], 14), tf.tensor1d([7, 0], 'int32')));
    // Add: same shape (small), then broadcast, int32 and above SMALL_ADD_MAX (wasm's kernel)
    await same(() => tf.add(randn([1, 256], 15), randn([1, 256], 16)));
    await same(() => tf.add(tf.tensor1d([NaN, Infinity, -Infinity, 1e38]), tf.tensor1d([1, -Infinity, 2, 1e38])));
    await same(() => tf.add(randn([4, 256], 17), randn([256], 18)));
    await same(() => tf.add(ints([3, 4], 19), ints([3, 4], 20)));
    await same(() => tf.add(randn([130, 129], 21), randn([130, 129], 22)));
  });

  it('gradients through Concat, GatherV2 and Add on native match cpu', async () => {
    await compare(() => {
      const x = randn([2, 3, 4], 23), y = randn([2, 1, 4], 24), e = randn([6, 4], 25);
      const w = randn([2, 4, 4], 26), w2 = randn([3, 4], 27);
      const ids = tf.tensor1d([1, 5, 1], 'int32');
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, t: tf.Tensor) =>
        tf.add(tf.sum(tf.mul(tf.concat([a, b], 1), w)), tf.sum(tf.mul(tf.add(tf.gather(t, ids), w2), tf.gather(t, ids)))),
      );
      return g([x, y, e]);
    }, 1e-5);
  });

  it('empty products: K = 0 gives zeros, M = 0 or batch 0 an empty result', async () => {
    const [z] = await on('native', () => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 4])));
    expect(z!.shape).toEqual([3, 4]);
    expect(Array.from(z!.values)).toEqual(new Array(12).fill(0));
    const [e] = await on('native', () => tf.matMul(tf.zeros([0, 2, 3]), tf.zeros([0, 3, 4])));
    expect(e!.shape).toEqual([0, 2, 4]);
  });

  it('_FusedMatMul with bias and activations matches cpu', async () => {
    for (const activation of ['linear', 'relu', 'elu', 'sigmoid'] as const) {
      await compare(() =>
        tf.fused.matMul({ a: randn([2, 4, 5], 7), b: randn([5, 3], 8), transposeB: false, bias: randn([3], 9), activation }),
      );
      await compare(() => tf.fused.matMul({ a: randn([4, 5], 7), b: randn([3, 5], 8), transposeB: true, bias: randn([4, 3], 9), activation }));
    }
  });

  it('gradients of matMul (every transpose combination) match cpu', async () => {
    for (const [ta, tb] of combos) {
      await compare(() => {
        // same-rank operands: tfjs' BatchMatMul gradient does not reduce broadcast batch dimensions
        const a = randn(ta ? [2, 6, 4] : [2, 4, 6], 10);
        const b = randn(tb ? [2, 5, 6] : [2, 6, 5], 11);
        return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y, ta, tb))))([a, b]);
      }, 1e-4);
    }
  });

  it('Softmax (last axis, rows split across threads) matches cpu, with its gradient, NaN and ±inf rows', async () => {
    await compare(() => tf.softmax(randn([3, 7], 13)));
    await compare(() => tf.softmax(tf.mul(randn([2, 300, 515], 14), 4)));
    await compare(() => {
      const x = randn([4, 9], 15);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), x)))(x);
    });
    const [nan] = await on('native', () => tf.softmax(tf.tensor2d([1, NaN, 2, 3, 1, 2, 3, 4, -Infinity, -Infinity, -Infinity, -Infinity, 1, Infinity, 0, 0], [4, 4])));
    const rows = [0, 1, 2, 3].map((r) => Array.from(nan!.values.slice(r * 4, r * 4 + 4)));
    expect(rows[0]!.every(Number.isNaN)).toBe(true);
    expect(rows[1]!.reduce((p, v) => p + v, 0)).toBeCloseTo(1, 6);
    expect(rows[2]!.every(Number.isNaN)).toBe(true); // all -inf: NaN, as tfjs cpu and PyTorch
    expect(rows[3]!.every(Number.isNaN)).toBe(true); // +inf: inf - inf, as PyTorch
    const [empty] = await on('native', () => tf.softmax(tf.zeros([0, 5])));
    expect(empty!.shape).toEqual([0, 5]);
  });

  it('shares tensors with wasm (same backend object: no copy when switching)', async () => {
    await tf.setBackend('native');
    const t = randn([4, 4], 12);
    const before = tf.engine().backend.numDataIds();
    await tf.setBackend('wasm');
    const y = tf.matMul(t, t);
    expect(tf.engine().backend.numDataIds()).toBe(before + 1);
    await tf.setBackend('native');
    const z = tf.matMul(t, t);
    expect(worst([{ shape: z.shape, values: z.dataSync() as Float32Array }], [{ shape: y.shape, values: y.dataSync() as Float32Array }])).toBeLessThan(1e-5);
    tf.dispose([t, y, z]);
  });

  it("'auto' picks native here and says why", async () => {
    const choice = await initBackend('auto', { log: false });
    expect(choice.name).toBe('native');
    expect(choice.reason).toMatch(/^native: .*for matmuls/);
    expect(tf.getBackend()).toBe('native');
  });
});

describe('native addon loader', () => {
  it('reports the build failure recorded in status.json', () => {
    const root = mkdtempSync(join(tmpdir(), 'qm-native-'));
    try {
      mkdirSync(join(root, 'native', 'build'), { recursive: true });
      expect(loadNativeAddonFrom(root).reason).toMatch(/install script did not run/);
      writeFileSync(join(root, 'native', 'build', 'status.json'), JSON.stringify({ built: false, reason: 'no C++ compiler found (install g++)' }));
      expect(loadNativeAddonFrom(root).reason).toBe('not built: no C++ compiler found (install g++)');
      writeFileSync(join(root, 'native', 'build', 'status.json'), '{');
      expect(loadNativeAddonFrom(root).reason).toMatch(/status\.json is not valid JSON/);
      writeFileSync(join(root, 'native', 'build', 'quarkmed-native.node'), 'not a shared object');
      writeFileSync(join(root, 'native', 'build', 'status.json'), '{}');
      expect(loadNativeAddonFrom(root).reason).toMatch(/does not load/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the addon is built where QUARKMED_REQUIRE_NATIVE=1 (CI)', () => {
    if (REQUIRE_NATIVE) expect(NATIVE_UNAVAILABLE).toBeUndefined();
  });
});
