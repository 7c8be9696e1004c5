/**
 * Every fused op, forward and backward, on every backend, against PyTorch references
 * (`test/fixtures/*.json`, written by `scripts/gen_fixtures.py`).
 *
 * For each backend × op × fixture case the op runs on the fixture's float32 inputs; its outputs and the
 * gradients of all float inputs for the fixture's upstream gradient dy (`tf.grads(f)(xs, dy)`) must match
 * the float64 reference within `|a - b| <= tol · max(|b|, 1)` (tol 1e-4, see helpers/tolerance.ts).
 * The worst error per backend/op is printed as a table after the run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TEST_BACKENDS, activateBackend, isSkipped } from './helpers/backends';
import { FIXTURE_OPS, type TensorFixture, loadFixture } from './helpers/fixtures';
import { HARNESS, disposeCase, prepareCase, vjp } from './helpers/ops';
import { ropeTables } from '../src/index';
import { WorstErrors, compareArrays, describeComparison, fixtureTolerance } from './helpers/tolerance';

const worst = new WorstErrors();
afterAll(() => worst.print('fixtures.test.ts: worst error |a-b|/max(|b|,1) against PyTorch, per backend/op'));

/** Compares one tensor with its fixture; returns a failure message or null, and records the error. */
async function check(
  backend: string,
  op: string,
  what: string,
  actual: tf.Tensor,
  expected: TensorFixture,
  tol: number,
): Promise<string | null> {
  if (JSON.stringify(actual.shape) !== JSON.stringify(expected.shape)) {
    return `${what}: shape [${actual.shape}] != expected [${expected.shape}]`;
  }
  if (actual.dtype !== 'float32') return `${what}: dtype ${actual.dtype} != float32`;
  const c = compareArrays(await actual.data<'float32'>(), expected.data);
  worst.record(backend, op, c.worst, what);
  return c.worst <= tol ? null : describeComparison(what, c, expected.shape);
}

for (const backend of ALL_TEST_BACKENDS) {
  describe.skipIf(isSkipped(backend))(`fixtures on ${backend}`, () => {
    beforeAll(async () => {
      await activateBackend(backend);
    });

    for (const c of loadFixture('rope').cases) {
      it(`ropeTables: ${c.name}`, async () => {
        const tol = fixtureTolerance(backend);
        const x = c.inputs.x!;
        const tables = (c as { tables?: Record<'cos' | 'sin', TensorFixture> }).tables!;
        const t = x.shape[2]!;
        const positions = c.inputs.positions
          ? tf.tensor(c.inputs.positions.data, c.inputs.positions.shape, 'int32')
          : tf.add(tf.range(0, t, 1, 'int32'), tf.scalar(c.attrs.offset ?? 0, 'int32'));
        const failures: string[] = [];
        try {
          const { cos, sin } = ropeTables(positions, x.shape[3]!, c.attrs.theta);
          for (const [name, got] of [['cos', cos], ['sin', sin]] as const) {
            const f = await check(backend, 'ropeTables', `${c.name} ${name}`, got, tables[name], tol);
            if (f) failures.push(f);
          }
          tf.dispose([cos, sin]);
        } finally {
          positions.dispose();
        }
        expect(failures, `${backend}/ropeTables/${c.name}`).toEqual([]);
      });
    }

    for (const op of FIXTURE_OPS) {
      const fixture = loadFixture(op);
      const h = HARNESS[op];
      for (const c of fixture.cases) {
        it(`${op}: ${c.name}`, async () => {
          const tol = fixtureTolerance(backend);
          const p = prepareCase(h, c);
          const failures: string[] = [];
          try {
            const ys = h.run(p.xs, p.fixed, c.attrs);
            expect(ys).toHaveLength(h.outputs.length);
            for (let i = 0; i < ys.length; i++) {
              const name = h.outputs[i]!;
              const f = await check(backend, op, `${c.name} output ${name}`, ys[i]!, c.outputs[name]!, tol);
              if (f) failures.push(f);
            }
            tf.dispose(ys);

            const gs = vjp(h, p.xs, p.fixed, c.attrs, p.dys);
            expect(gs).toHaveLength(h.floatInputs.length);
            for (let i = 0; i < gs.length; i++) {
              const name = h.floatInputs[i]!;
              const f = await check(backend, op, `${c.name} d${name}`, gs[i]!, c.grads[name]!, tol);
              if (f) failures.push(f);
            }
            tf.dispose(gs);
          } finally {
            disposeCase(p);
          }
          expect(failures, `${backend}/${op}/${c.name} (tol ${tol})`).toEqual([]);
        });
      }
    }
  });
}
