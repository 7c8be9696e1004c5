/**
 * Finite-difference gradient checks of every fused op on the cpu and wasm backends, independent of the
 * PyTorch fixtures (which only supply small inputs and random output weights).
 *
 * For each fixture case and each float input x_i separately, with a seeded random direction u (scaled by
 * the RMS of x_i so the step is relative to the input's magnitude) and the fixture's dy as output
 * weights, `L(x) = Σ_k <dy_k, y_k(x)>` is evaluated in float64 from the float32 outputs. The central
 * difference of L along u with Richardson extrapolation,
 * `R = (4·D(h/2) - D(h)) / 3`, `D(s) = (L(x + s·u) - L(x - s·u)) / (2s)`,
 * is O(h⁴) accurate, so what remains is float32 rounding noise. It must match the analytic directional
 * derivative `A = <∂L/∂x_i, u>` from the op's gradient:
 * `|R - A| <= 1e-3 · max(|A|, ‖∂L/∂x_i‖₂ · rms(u), 1e-3)` (the middle term is the typical size of A for a
 * random direction, so a direction that happens to be nearly orthogonal to the gradient does not demand an
 * absurd relative accuracy).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestBackend, activateBackend, isSkipped } from './helpers/backends';
import { FIXTURE_OPS, type FixtureCase, loadFixture } from './helpers/fixtures';
import { HARNESS, type OpHarness, disposeCase, prepareCase, vjp } from './helpers/ops';
import { randomNormal } from './helpers/random';
import { WorstErrors } from './helpers/tolerance';

const GRADCHECK_BACKENDS: readonly TestBackend[] = ['cpu', 'wasm', 'native'];
/** Relative step: the perturbation is STEP · rms(x) · N(0, 1) per element. */
const STEP = 1e-2;
const TOL = 1e-3;

const worst = new WorstErrors();
afterAll(() => worst.print('gradcheck.test.ts: worst |R-A|/max(|A|, ‖g‖·rms(u), 1e-3) per backend/op'));

/** L = Σ_k <w_k, y_k> in float64 for the float inputs `xs` (values) of shapes `shapes`. */
function lossAt(
  h: OpHarness,
  values: Float32Array[],
  shapes: number[][],
  fixed: Record<string, tf.Tensor>,
  attrs: Record<string, number>,
  weights: Float32Array[],
): number {
  return tf.tidy(() => {
    const xs = values.map((v, i) => tf.tensor(v, shapes[i], 'float32'));
    const ys = h.run(xs, fixed, attrs);
    let acc = 0;
    ys.forEach((y, k) => {
      const d = y.dataSync();
      const w = weights[k]!;
      for (let j = 0; j < d.length; j++) acc += w[j]! * d[j]!;
    });
    return acc;
  });
}

function rms(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s / Math.max(a.length, 1));
}

function gradcheckCase(backend: string, op: string, h: OpHarness, c: FixtureCase): string[] {
  const failures: string[] = [];
  const p = prepareCase(h, c);
  try {
    const base = p.xs.map((x) => x.dataSync() as Float32Array);
    const shapes = p.xs.map((x) => x.shape.slice());
    const weights = p.dys.map((d) => d.dataSync() as Float32Array);
    const grads = tf.tidy(() => vjp(h, p.xs, p.fixed, c.attrs, p.dys).map((g) => g.dataSync() as Float32Array));

    for (let i = 0; i < base.length; i++) {
      const x = base[i]!;
      const scale = rms(x) || 1;
      const dir = randomNormal(x.length, c.seed * 101 + i);
      for (let j = 0; j < dir.length; j++) dir[j] *= scale;

      const lossAlong = (s: number): number => {
        const vals = base.slice();
        const moved = new Float32Array(x.length);
        for (let j = 0; j < x.length; j++) moved[j] = x[j]! + s * dir[j]!;
        vals[i] = moved;
        return lossAt(h, vals, shapes, p.fixed, c.attrs, weights);
      };
      const d = (s: number) => (lossAlong(s) - lossAlong(-s)) / (2 * s);
      const numeric = (4 * d(STEP / 2) - d(STEP)) / 3;

      const g = grads[i]!;
      let analytic = 0;
      let gnorm = 0;
      for (let j = 0; j < g.length; j++) {
        analytic += g[j]! * dir[j]!;
        gnorm += g[j]! * g[j]!;
      }
      const name = h.floatInputs[i]!;
      const refNorm = Math.hypot(...(c.grads[name]?.data ?? []));
      if (!(Math.sqrt(gnorm) >= 0.01 * refNorm)) {
        // A (near) zero gradient with a forward that ignores x_i would pass the check trivially.
        failures.push(`${c.name} d${name}: gradient norm ${Math.sqrt(gnorm)} vs PyTorch's ${refNorm}`);
        continue;
      }
      const typical = Math.sqrt(gnorm) * rms(dir);
      const err = Math.abs(numeric - analytic) / Math.max(Math.abs(analytic), typical, 1e-3);
      worst.record(backend, op, err, `${c.name} d${name}`);
      if (!(err <= TOL)) {
        failures.push(
          `${c.name} d${name}: numeric ${numeric.toPrecision(8)} vs analytic ${analytic.toPrecision(8)} (err ${err.toExponential(2)})`,
        );
      }
    }
  } finally {
    disposeCase(p);
  }
  return failures;
}

for (const backend of GRADCHECK_BACKENDS) {
  describe.skipIf(isSkipped(backend))(`gradcheck on ${backend}`, () => {
    beforeAll(async () => {
      await activateBackend(backend);
    });

    for (const op of FIXTURE_OPS) {
      it(`${op}: directional finite differences match the gradient`, () => {
        const h = HARNESS[op];
        const failures = loadFixture(op).cases.flatMap((c) => gradcheckCase(backend, op, h, c));
        expect(failures, `${backend}/${op}`).toEqual([]);
      });
    }
  });
}
