import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamWOptimizer, OptimizerStateError } from '../../src/training/optimizer';
import { maxAbsDiff, randu, useCpu } from './helpers';

beforeAll(useCpu);

/** torch.optim.AdamW in float64 JS. */
function reference(p: number[], grads: number[][], lr: number, wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const x = [...p];
  grads.forEach((g, s) => {
    const step = s + 1;
    for (let i = 0; i < x.length; i++) {
      x[i]! *= 1 - lr * wd;
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      x[i]! -= (lr * (m[i]! / (1 - b1 ** step))) / (Math.sqrt(v[i]! / (1 - b2 ** step)) + eps);
    }
  });
  return x;
}

describe('AdamWOptimizer', () => {
  it('matches torch AdamW over 3 steps; decays matrices but not vectors by default', () => {
    const w = tf.variable(randu([2, 3], 1), true, 'opt-test-w');
    const n = tf.variable(randu([3], 2), true, 'opt-test-n');
    const w0 = Array.from(w.dataSync());
    const n0 = Array.from(n.dataSync());
    const opt = new AdamWOptimizer(new Map([['w', w], ['n', n]]), { weightDecay: 0.1 });
    const gw = [0, 1, 2].map((s) => Array.from(randu([2, 3], 10 + s).dataSync()));
    const gn = [0, 1, 2].map((s) => Array.from(randu([3], 20 + s).dataSync()));
    for (let s = 0; s < 3; s++) {
      const grads = { w: tf.tensor(gw[s]!, [2, 3]), n: tf.tensor(gn[s]!, [3]) };
      opt.apply(grads, 0.01);
      tf.dispose(Object.values(grads));
    }
    expect(opt.step).toBe(3);
    expect(maxAbsDiff(w, reference(w0, gw, 0.01, 0.1))).toBeLessThan(1e-6);
    expect(maxAbsDiff(n, reference(n0, gn, 0.01, 0))).toBeLessThan(1e-6);
    opt.dispose();
    tf.dispose([w, n]);
  });

  it('round-trips its state: a restored optimizer continues identically', () => {
    const mk = (name: string): tf.Variable => tf.variable(randu([4], 5), true, name);
    const a = mk('opt-rt-a');
    const b = mk('opt-rt-b');
    const oa = new AdamWOptimizer(new Map([['p', a]]));
    const ob = new AdamWOptimizer(new Map([['p', b]]));
    const g = (s: number): Record<string, tf.Tensor> => ({ p: randu([4], 30 + s) });
    for (let s = 0; s < 2; s++) {
      const gr = g(s);
      oa.apply(gr, 0.1);
      ob.apply(gr, 0.1);
      tf.dispose(Object.values(gr));
    }
    const saved = new Map([...oa.stateTensors()].map(([k, t]) => [k, tf.clone(t)]));
    expect([...saved.keys()]).toEqual(['p.m', 'p.v']);
    const oc = new AdamWOptimizer(new Map([['p', b]]));
    oc.loadState(saved, ob.step);
    ob.dispose();
    for (let s = 2; s < 4; s++) {
      const gr = g(s);
      oa.apply(gr, 0.1);
      oc.apply(gr, 0.1);
      tf.dispose(Object.values(gr));
    }
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(() => oc.loadState(new Map([['p.m', tf.zeros([3])], ['p.v', tf.zeros([3])]]), 1)).toThrow(OptimizerStateError);
    expect(() => oc.loadState(new Map(), 1)).toThrow(/missing p\.m/);
    expect(() => oc.apply({ q: tf.zeros([4]) }, 0.1)).toThrow(/unknown variable q/);
    expect(() => oc.apply({ p: tf.zeros([5]) }, 0.1)).toThrow(/shape \[5\]/);
    tf.dispose([...saved.values(), a, b]);
    oa.dispose();
    oc.dispose();
  });
});

describe('AdamWOptimizer inside tf.tidy', () => {
  it('keeps its moments alive across an enclosing tidy', () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]), true, 'tidy-w');
    const opt = new AdamWOptimizer(new Map([['w', w]]), { weightDecay: 0 });
    for (let i = 0; i < 3; i++) tf.tidy(() => opt.apply(new Map([['w', tf.tensor1d([0.1, 0.2, 0.3])]]), 0.1));
    expect(Array.from(w.dataSync()).every((x, i) => x < i + 1)).toBe(true);
    expect(opt.stateTensors().get('w.m')!.isDisposed).toBe(false);
    w.dispose();
  });
});
