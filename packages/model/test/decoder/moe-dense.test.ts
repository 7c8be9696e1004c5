/**
 * The dense, all-device MoE path (`moeForwardDense`, what webgpu runs) against the sparse path that reads the routing
 * back (`moeForward`, cpu/wasm), both on the cpu backend: the same output, auxiliary losses and gradients w.r.t.
 * every weight and the input (to 1e-5), with ties in the router probabilities, padding rows and no real token.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear } from '../../src/decoder/linear';
import type { MlpProjections } from '../../src/decoder/mlp';
import { deviceTopKSelection, moeForward, moeForwardDense, topKSelection, type MoeModules } from '../../src/decoder/moe';
import { Mulberry32 } from '../../src/training/rng';
import { useBackend } from './reference';

const CTX = { training: false, adaptersEnabled: true };
const D = 8;
const H = 6;

function uniform(rng: Mulberry32, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
}

interface Case {
  modules: MoeModules;
  x: tf.Variable<tf.Rank.R2>;
  vars: tf.Variable[];
  probe: tf.Tensor2D;
}

let serial = 0;
/** A router and `e` SwiGLU experts with seeded weights; `routerCols` overrides router columns (ties). */
function makeCase(n: number, e: number, k: number, seed: number, routerCols?: (w: Float32Array) => void): Case {
  const rng = new Mulberry32(seed);
  const tag = `moe-dense-${serial++}`;
  const v = (name: string, shape: [number, number], values: Float32Array) => tf.variable(tf.tensor2d(values, shape), true, `${tag}-${name}`) as tf.Variable<tf.Rank.R2>;
  const rw = uniform(rng, D * e, 1.5);
  routerCols?.(rw);
  const router = new Linear('router', v('router', [D, e], rw));
  const experts: MlpProjections[] = [];
  for (let j = 0; j < e; j++) {
    experts.push({
      gate: new Linear('w1', v(`w1-${j}`, [D, H], uniform(rng, D * H, 0.6))),
      up: new Linear('w3', v(`w3-${j}`, [D, H], uniform(rng, D * H, 0.6))),
      down: new Linear('w2', v(`w2-${j}`, [H, D], uniform(rng, H * D, 0.6))),
    });
  }
  const x = v('x', [n, D], uniform(rng, n * D, 1));
  const vars = [router.weight, ...experts.flatMap((p) => [p.gate.weight, p.up.weight, p.down.weight]), x];
  return { modules: { router, experts, topK: k }, x, vars, probe: tf.tensor2d(uniform(rng, n * D, 1), [n, D]) };
}

interface Result {
  output: Float32Array;
  aux: number;
  z: number;
  grads: Float32Array[];
  auxGrads?: Float32Array[];
}

/** Runs one path: values, the gradients of `Σ out·probe + 0.7 aux + 0.3 z` w.r.t. every variable, and of aux alone. */
function run(c: Case, mask: Uint8Array | undefined, dense: boolean): Result {
  const fwd = () => {
    if (!dense) return moeForward(c.x, c.modules, CTX, mask);
    return tf.tidy(() => moeForwardDense(c.x, c.modules, CTX, mask === undefined ? undefined : tf.tensor1d(Float32Array.from(mask))));
  };
  const o = fwd();
  const result: Result = {
    output: o.output.dataSync() as Float32Array,
    aux: o.auxLoss.dataSync()[0]!,
    z: o.zLoss.dataSync()[0]!,
    grads: [],
  };
  tf.dispose([o.output, o.auxLoss, o.zLoss]);
  const { value, grads } = tf.variableGrads(() => {
    const f = fwd();
    return tf.addN([tf.sum(tf.mul(f.output, c.probe)), tf.mul(f.auxLoss, 0.7), tf.mul(f.zLoss, 0.3)]) as tf.Scalar;
  }, c.vars);
  result.grads = c.vars.map((v) => grads[v.name]!.dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  const real = mask === undefined || mask.some((m) => m !== 0);
  if (real) {
    // the aux loss alone reaches the router and the input (the selection itself is piecewise constant)
    const onlyAux = tf.variableGrads(() => fwd().auxLoss, [c.modules.router.weight, c.x]);
    result.auxGrads = [c.modules.router.weight, c.x].map((v) => onlyAux.grads[v.name]!.dataSync() as Float32Array);
    tf.dispose([onlyAux.value, ...Object.values(onlyAux.grads)]);
  }
  return result;
}

/** max |a − b| / max(|b|, 1) */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let i = 0; i < b.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1));
  return w;
}

function expectSame(dense: Result, sparse: Result, label: string): void {
  expect(relErr(dense.output, sparse.output), `${label} output`).toBeLessThan(1e-5);
  expect(relErr([dense.aux], [sparse.aux]), `${label} aux`).toBeLessThan(1e-5);
  expect(relErr([dense.z], [sparse.z]), `${label} z`).toBeLessThan(1e-5);
  expect(dense.grads.length).toBe(sparse.grads.length);
  dense.grads.forEach((g, i) => expect(relErr(g, sparse.grads[i]!), `${label} grad ${i}`).toBeLessThan(1e-5));
  expect(dense.auxGrads === undefined).toBe(sparse.auxGrads === undefined);
  dense.auxGrads?.forEach((g, i) => expect(relErr(g, sparse.auxGrads![i]!), `${label} aux grad ${i}`).toBeLessThan(1e-5));
}

function disposeCase(c: Case): void {
  tf.dispose([...c.vars, c.probe]);
}

describe('dense all-device MoE path equals the sparse read-back path (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('device top-k selects the same experts as topKSelection, ties to the lower index', () => {
    const rng = new Mulberry32(7);
    // quantised probabilities make ties common, also across the k boundary
    const levels = [0.1, 0.2, 0.2, 0.3, 0.4];
    for (const [n, e] of [[9, 4], [7, 3], [5, 8], [4, 2]] as const) {
      const values = Float32Array.from({ length: n * e }, () => levels[Math.floor(rng.next() * levels.length)]!);
      values.fill(0.25, 0, e); // one row entirely tied: the first k experts
      for (let k = 1; k <= e; k++) {
        const got = tf.tidy(() => deviceTopKSelection(tf.tensor2d(values, [n, e]), k).dataSync());
        expect(Array.from(got), `n=${n} e=${e} k=${k}`).toEqual(Array.from(topKSelection(values, n, e, k).selected));
        expect(Array.from(got.slice(0, e))).toEqual(Array.from({ length: e }, (_, j) => (j < k ? 1 : 0)));
      }
    }
    const fixed = tf.tidy(() => deviceTopKSelection(tf.tensor2d([0.1, 0.4, 0.4, 0.1, 0.7, 0.1, 0.1, 0.1], [2, 4]), 2).dataSync());
    expect(Array.from(fixed)).toEqual([0, 1, 1, 0, 1, 1, 0, 0]);
  });

  it('the device selection has a zero gradient', () => {
    const p = tf.tensor2d([0.1, 0.5, 0.4, 0.3, 0.3, 0.4], [2, 3]);
    const g = tf.grad((q: tf.Tensor) => tf.sum(tf.mul(deviceTopKSelection(q as tf.Tensor2D, 1), q)))(p);
    // only the product's direct term remains: d/dq (sel · q) = sel
    expect(Array.from(g.dataSync())).toEqual([0, 1, 0, 0, 0, 1]);
    tf.dispose([p, g]);
  });

  it('output, aux and z losses and every gradient match, without and with padding rows', () => {
    for (const [e, k] of [[4, 2], [3, 1], [2, 2], [8, 1]] as const) {
      const n = 10;
      const c = makeCase(n, e, k, 100 + e * 10 + k);
      for (const mask of [undefined, Uint8Array.from([1, 1, 0, 1, 1, 1, 1, 1, 0, 0])]) {
        const label = `E=${e} k=${k} mask=${mask ? 'padding' : 'none'}`;
        const sparse = run(c, mask, false);
        const dense = run(c, mask, true);
        expect(sparse.grads.some((g) => g.some((v) => v !== 0)), label).toBe(true);
        expectSame(dense, sparse, label);
      }
      disposeCase(c);
    }
  });

  it('an expert no token chose gets a zero gradient on both paths', () => {
    const c = makeCase(3, 8, 1, 17);
    const sel = topKSelection(tf.tidy(() => tf.softmax(c.modules.router.apply(c.x, CTX)).dataSync()), 3, 8, 1);
    const unused = sel.rows.findIndex((r) => r.length === 0);
    expect(unused).toBeGreaterThanOrEqual(0);
    const sparse = run(c, undefined, false);
    const dense = run(c, undefined, true);
    expectSame(dense, sparse, 'E=8 k=1 n=3');
    for (const w of [0, 1, 2]) expect(dense.grads[1 + unused * 3 + w]!.every((v) => v === 0)).toBe(true);
    disposeCase(c);
  });

  it('ties in the router probabilities (identical router columns) route and differentiate alike', () => {
    // columns 1 and 2, and 0 and 3, equal: every token has exact ties; with k = 1 and k = 3 the tie straddles the cut
    for (const k of [1, 2, 3]) {
      const c = makeCase(6, 4, k, 40 + k, (w) => {
        for (let r = 0; r < D; r++) {
          w[r * 4 + 2] = w[r * 4 + 1]!;
          w[r * 4 + 3] = w[r * 4]!;
        }
      });
      const probs = tf.tidy(() => tf.softmax(c.modules.router.apply(c.x, CTX)).dataSync());
      for (let i = 0; i < 6; i++) {
        expect(probs[i * 4 + 1]).toBe(probs[i * 4 + 2]);
        expect(probs[i * 4]).toBe(probs[i * 4 + 3]);
      }
      const mask = Uint8Array.from([0, 1, 1, 1, 1, 1]);
      expectSame(run(c, mask, true), run(c, mask, false), `ties k=${k}`);
      disposeCase(c);
    }
    // a zero router: every probability tied, the first k experts chosen
    const c = makeCase(5, 4, 2, 51, (w) => w.fill(0));
    expectSame(run(c, undefined, true), run(c, undefined, false), 'uniform router');
    disposeCase(c);
  });

  it('all padding (nReal = 0): aux 0 and z 0 on both paths, the same output and gradients', () => {
    const c = makeCase(4, 4, 2, 61);
    const mask = new Uint8Array(4);
    const sparse = run(c, mask, false);
    const dense = run(c, mask, true);
    expect(sparse.aux).toBe(0);
    expect(sparse.z).toBe(0);
    expect(dense.aux).toBe(0);
    expect(dense.z).toBe(0);
    expectSame(dense, sparse, 'all padding');
    disposeCase(c);
  });

  it('leaks no tensors', () => {
    const c = makeCase(6, 4, 2, 71);
    const mask = tf.tensor1d([1, 1, 1, 0, 1, 0]);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => {
        const f = moeForwardDense(c.x, c.modules, CTX, mask);
        return tf.addN([tf.sum(f.output), f.auxLoss, f.zLoss]) as tf.Scalar;
      }, c.vars);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    mask.dispose();
    disposeCase(c);
  });
});
