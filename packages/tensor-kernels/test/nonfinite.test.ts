/**
 * The NaN / ±Inf contract of every fused op (see each op's TSDoc), forward and backward, on every backend
 * (cpu: composite kernels, wasm: SIMD C, webgpu: WGSL), against PyTorch references with NaN and ±Inf
 * injected at chosen positions (`test/fixtures/nonfinite.json`, written by `test/fixtures/gen_nonfinite.py`).
 *
 * Every element must match: NaN where the reference is NaN, the same infinity where it is infinite, and
 * finite values within the fixture tolerance (`|a - b| <= 1e-4 · max(|b|, 1)`). Because every backend is
 * held to the same reference, they also agree with each other. A structural test then checks the flash
 * kernels' block logic (32-row query blocks on wasm) with NaN in a hidden query/value row.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { causalAttention } from '../src/ops/causal-attention';
import { ALL_TEST_BACKENDS, activateBackend, isSkipped } from './helpers/backends';
import type { FixtureOp } from './helpers/fixtures';
import { HARNESS, vjp } from './helpers/ops';
import { randnArray } from './helpers/random';
import { fixtureTolerance } from './helpers/tolerance';

type Value = number | 'NaN' | 'Infinity' | '-Infinity';

interface NonFiniteTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Value[];
}

interface NonFiniteCase {
  op: FixtureOp;
  name: string;
  inputs: Record<string, NonFiniteTensor>;
  attrs: Record<string, number>;
  dy: Record<string, NonFiniteTensor>;
  outputs: Record<string, NonFiniteTensor>;
  grads: Record<string, NonFiniteTensor>;
}

const FIXTURE = JSON.parse(
  readFileSync(fileURLToPath(new URL('./fixtures/nonfinite.json', import.meta.url)), 'utf8'),
) as { cases: NonFiniteCase[] };

const decode = (v: Value): number => (typeof v === 'number' ? v : Number(v));

function tensorOf(t: NonFiniteTensor): tf.Tensor {
  const data = t.data.map(decode);
  return t.dtype === 'int32' ? tf.tensor(Int32Array.from(data), t.shape, 'int32') : tf.tensor(Float32Array.from(data), t.shape, 'float32');
}

/** Element-wise check; returns the first mismatches (at most 5) as text. */
function mismatches(what: string, actual: ArrayLike<number>, expected: NonFiniteTensor, tol: number): string[] {
  const out: string[] = [];
  if (actual.length !== expected.data.length) return [`${what}: ${actual.length} values, expected ${expected.data.length}`];
  for (let i = 0; i < actual.length && out.length < 5; i++) {
    const a = actual[i]!;
    const e = decode(expected.data[i]!);
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Number.isFinite(a) && Math.abs(a - e) <= tol * Math.max(1, Math.abs(e));
    if (!ok) out.push(`${what}[${i}] = ${a}, expected ${e}`);
  }
  return out;
}

/** Indices of NaN entries of rows (row length `width`) of `data`: which rows hold a NaN. */
function nanRows(data: ArrayLike<number>, width: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r * width < data.length; r++) {
    for (let c = 0; c < width; c++) {
      if (Number.isNaN(data[r * width + c]!)) {
        rows.push(r);
        break;
      }
    }
  }
  return rows;
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

it('the fixture covers every op', () => {
  const ops = new Set(FIXTURE.cases.map((c) => c.op));
  expect([...ops].sort()).toEqual(['adamw', 'causalAttention', 'crossEntropy', 'rmsNorm', 'rope', 'swiglu', 'tokenLogProbs']);
  for (const c of FIXTURE.cases) {
    const all = [...Object.values(c.inputs), ...Object.values(c.outputs)].flatMap((t) => t.data);
    expect(all.some((v) => typeof v === 'string'), `${c.op}: ${c.name} injects non-finite values`).toBe(true);
  }
});

for (const backend of ALL_TEST_BACKENDS) {
  describe.skipIf(isSkipped(backend))(`NaN / ±Inf on ${backend}`, () => {
    beforeAll(async () => {
      await activateBackend(backend);
    });

    for (const c of FIXTURE.cases) {
      it(`${c.op}: ${c.name}`, async () => {
        const h = HARNESS[c.op];
        const tol = fixtureTolerance(backend);
        const xs = h.floatInputs.map((n) => tensorOf(c.inputs[n]!));
        const fixed: Record<string, tf.Tensor> = {};
        for (const [n, t] of Object.entries(c.inputs)) if (!h.floatInputs.includes(n)) fixed[n] = tensorOf(t);
        const dys = h.outputs.map((n) => tensorOf(c.dy[n]!));
        const failures: string[] = [];
        try {
          const ys = h.run(xs, fixed, c.attrs);
          for (let i = 0; i < ys.length; i++) {
            failures.push(...mismatches(`output ${h.outputs[i]}`, await ys[i]!.data(), c.outputs[h.outputs[i]!]!, tol));
          }
          tf.dispose(ys);
          const gs = vjp(h, xs, fixed, c.attrs, dys);
          for (let i = 0; i < gs.length; i++) {
            failures.push(...mismatches(`d${h.floatInputs[i]}`, await gs[i]!.data(), c.grads[h.floatInputs[i]!]!, tol));
          }
          tf.dispose(gs);
        } finally {
          tf.dispose([...xs, ...Object.values(fixed), ...dys]);
        }
        expect(failures, `${backend}/${c.op}/${c.name}`).toEqual([]);
      });
    }

    it('causalAttention: NaN reaches only the rows that depend on it across 32-row query blocks', async () => {
      const T = 40;
      const Dh = 4;
      const base = { q: randnArray(T * Dh, 1), k: randnArray(T * Dh, 2), v: randnArray(T * Dh, 3), dy: randnArray(T * Dh, 4) };
      const run = async (edit: (d: typeof base) => void) => {
        const d = { q: base.q.slice(), k: base.k.slice(), v: base.v.slice(), dy: base.dy.slice() };
        edit(d);
        const [q, k, v, dy] = [d.q, d.k, d.v, d.dy].map((a) => tf.tensor4d(a, [1, 1, T, Dh]));
        const y = causalAttention(q!, k!, v!);
        const gs = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => causalAttention(a, b, c))([q!, k!, v!], dy!);
        const out = await Promise.all([y, ...gs].map((t) => t.data()));
        tf.dispose([q!, k!, v!, dy!, y, ...gs]);
        return out;
      };
      // NaN in query 37 (block 1, rows 32..39): its own output and dq row; dk, dv of the keys it sees (0..37)
      const [y1, dq1, dk1, dv1] = await run((d) => (d.q[37 * Dh + 1] = NaN));
      expect(nanRows(y1!, Dh), 'y1').toEqual([37]);
      expect(nanRows(dq1!, Dh), 'dq1').toEqual([37]);
      expect(nanRows(dk1!, Dh), 'dk1').toEqual(range(0, 38));
      expect(nanRows(dv1!, Dh), 'dv1').toEqual(range(0, 38));
      // NaN in value 34 (on the causal diagonal of block 1): the queries that see key 34, nothing else
      const [y2, dq2, , dv2] = await run((d) => (d.v[34 * Dh + 2] = NaN));
      expect(nanRows(y2!, Dh), 'y2').toEqual(range(34, 40));
      expect(nanRows(dq2!, Dh), 'dq2').toEqual(range(34, 40));
      expect(nanRows(dv2!, Dh), 'dv2').toEqual([]);
      // NaN in upstream dy of query 5: dq row 5; dk, dv of keys 0..5 only
      const [, dq3, dk3, dv3] = await run((d) => (d.dy[5 * Dh] = NaN));
      expect(nanRows(dq3!, Dh), 'dq3').toEqual([5]);
      expect(nanRows(dk3!, Dh), 'dk3').toEqual(range(0, 6));
      expect(nanRows(dv3!, Dh), 'dv3').toEqual(range(0, 6));
    });
  });
}
