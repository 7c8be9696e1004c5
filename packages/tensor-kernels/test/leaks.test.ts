/**
 * Memory discipline of the fused ops on every backend: after a warm-up call (which may build programs or
 * tables a backend caches), a forward + backward pass written the way a user writes it leaves
 * `tf.memory().numTensors` and the backend's live data ids exactly where they were. Checked three ways:
 * explicit `dispose` of outputs and gradients, `tf.tidy`, and `tf.variableGrads` on variables (whose
 * gradients are also compared with the PyTorch fixture, so the variable path is known to compute the
 * right thing).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_TEST_BACKENDS, activateBackend, isSkipped } from './helpers/backends';
import { FIXTURE_OPS, loadFixture } from './helpers/fixtures';
import { HARNESS, type OpHarness, disposeCase, prepareCase, vjp } from './helpers/ops';
import { expectWithin, fixtureTolerance } from './helpers/tolerance';

/** Live tensors (engine) and live data buffers (backend). */
function counts(): { tensors: number; dataIds: number } {
  return { tensors: tf.memory().numTensors, dataIds: tf.engine().backend.numDataIds() };
}

/** Runs `step` once to warm up, then once more and returns the counts before and after the second run. */
function measure(step: () => void): { before: ReturnType<typeof counts>; after: ReturnType<typeof counts> } {
  step();
  const before = counts();
  step();
  return { before, after: counts() };
}

/** Σ_k sum(y_k · dy_k): the scalar whose gradient is the VJP with dys. */
function scalarLoss(
  h: OpHarness,
  xs: tf.Tensor[],
  fixed: Record<string, tf.Tensor>,
  attrs: Record<string, number>,
  dys: tf.Tensor[],
): tf.Scalar {
  const ys = h.run(xs, fixed, attrs);
  return tf.addN(ys.map((y, k) => tf.sum(tf.mul(y, dys[k]!)))) as tf.Scalar;
}

for (const backend of ALL_TEST_BACKENDS) {
  describe.skipIf(isSkipped(backend))(`no leaks on ${backend}`, () => {
    beforeAll(async () => {
      await activateBackend(backend);
    });

    for (const op of FIXTURE_OPS) {
      const h = HARNESS[op];
      const cases = loadFixture(op).cases;

      it(`${op}: forward + backward with dispose / tf.tidy`, () => {
        for (const c of cases) {
          const p = prepareCase(h, c);
          try {
            const explicit = measure(() => {
              const ys = h.run(p.xs, p.fixed, c.attrs);
              const gs = vjp(h, p.xs, p.fixed, c.attrs, p.dys);
              for (const t of [...ys, ...gs]) t.dispose();
            });
            expect(explicit.after, `${c.name}: dispose`).toEqual(explicit.before);

            const tidy = measure(() => {
              tf.tidy(() => {
                h.run(p.xs, p.fixed, c.attrs);
                vjp(h, p.xs, p.fixed, c.attrs, p.dys);
              });
            });
            expect(tidy.after, `${c.name}: tf.tidy`).toEqual(tidy.before);

            // Forward only, output kept by the caller: exactly the outputs stay alive.
            const before = tf.memory().numTensors;
            const ys = h.run(p.xs, p.fixed, c.attrs);
            expect(tf.memory().numTensors - before, `${c.name}: forward keeps only its outputs`).toBe(ys.length);
            tf.dispose(ys);
            expect(tf.memory().numTensors, `${c.name}: after disposing outputs`).toBe(before);
          } finally {
            disposeCase(p);
          }
        }
      });

      it(`${op}: tf.variableGrads`, async () => {
        const tol = fixtureTolerance(backend);
        for (const c of cases) {
          const p = prepareCase(h, c);
          const vars = p.xs.map((x, i) => tf.variable(x, true, `${op}_${c.seed}_${h.floatInputs[i]}`));
          try {
            const f = () => scalarLoss(h, vars, p.fixed, c.attrs, p.dys);
            const warm = tf.variableGrads(f, vars);
            tf.dispose([warm.value, ...Object.values(warm.grads)]);

            const before = counts();
            const r = tf.variableGrads(f, vars);
            // Exactly the value and one gradient per variable stay alive.
            expect(tf.memory().numTensors - before.tensors, `${c.name}: variableGrads keeps value + grads`).toBe(
              1 + vars.length,
            );
            for (let i = 0; i < vars.length; i++) {
              const name = h.floatInputs[i]!;
              const g = r.grads[vars[i]!.name];
              expect(g, `${c.name}: gradient of ${name}`).toBeDefined();
              expectWithin(`${c.name} d${name}`, await g!.data<'float32'>(), c.grads[name]!.data, tol);
            }
            tf.dispose([r.value, ...Object.values(r.grads)]);
            expect(counts(), `${c.name}: after disposing value and grads`).toEqual(before);
          } finally {
            tf.dispose(vars);
            disposeCase(p);
          }
        }
      });
    }
  });
}
