/**
 * The native backend's float32 Add / Sub / Mul (src/backends/native/elementwise.ts): bit-identical to the cpu
 * backend (plain IEEE float32 arithmetic) for same-shape, scalar and trailing-broadcast operands above the native
 * size threshold, NaN and ±inf included; every other case goes to the wasm kernel and still agrees; gradients flow.
 * Skipped (with the reason) where the addon is not built, unless QUARKMED_REQUIRE_NATIVE=1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/index';
import { NATIVE_BINARY_MIN, repeatedOperandSize } from '../../src/backends/native/elementwise';
import { isSkipped } from '../helpers/backends';
import { randomNormal } from '../helpers/random';

function values(shape: number[], seed: number, specials = false): Float32Array {
  const v = Float32Array.from(randomNormal(shape.reduce((p, d) => p * d, 1), seed));
  if (specials && v.length > 8) {
    v[1] = NaN;
    v[3] = Infinity;
    v[5] = -Infinity;
    v[7] = 0;
  }
  return v;
}

async function run(backend: string, op: 'add' | 'sub' | 'mul', a: [number[], Float32Array], b: [number[], Float32Array]): Promise<Float32Array> {
  await tf.setBackend(backend);
  const out = tf.tidy(() => tf[op](tf.tensor(a[1], a[0], 'float32'), tf.tensor(b[1], b[0], 'float32')));
  const v = (await out.data()) as Float32Array;
  out.dispose();
  return v;
}

describe('repeatedOperandSize', () => {
  it('accepts same shapes, scalars and trailing dimensions, nothing else', () => {
    expect(repeatedOperandSize([4, 5], [4, 5])).toBe(20);
    expect(repeatedOperandSize([4, 5], [])).toBe(1);
    expect(repeatedOperandSize([4, 5], [5])).toBe(5);
    expect(repeatedOperandSize([4, 5], [1, 5])).toBe(5);
    expect(repeatedOperandSize([2, 4, 5], [1, 1, 5])).toBe(5);
    expect(repeatedOperandSize([2, 4, 5], [4, 5])).toBe(20);
    expect(repeatedOperandSize([4, 5], [4, 1])).toBe(0);
    expect(repeatedOperandSize([2, 4, 5], [2, 1, 5])).toBe(0);
    expect(repeatedOperandSize([5], [4, 5])).toBe(0);
  });
});

describe.skipIf(isSkipped('native'))('native float32 Add / Sub / Mul', () => {
  beforeAll(async () => {
    await initBackend('cpu', { log: false });
    await initBackend('native', { log: false });
  });

  const n = NATIVE_BINARY_MIN + 31;
  const cases: [string, number[], number[]][] = [
    ['same shape', [n], [n]],
    ['scalar', [8, 4096], []],
    ['bias over rows', [64, 688], [688]],
    ['[1, 1, N] over [B, T, N]', [4, 32, 256], [1, 1, 256]],
    ['first operand broadcast (wasm path)', [688], [64, 688]],
    ['column broadcast (wasm path)', [64, 688], [64, 1]],
    ['small (JavaScript / wasm path)', [100], [100]],
  ];
  for (const op of ['add', 'sub', 'mul'] as const) {
    for (const [name, sa, sb] of cases) {
      it(`${op}: ${name} equals cpu bit for bit, NaN and ±inf included`, async () => {
        const a: [number[], Float32Array] = [sa, values(sa, 1, true)];
        const b: [number[], Float32Array] = [sb, values(sb, 2, true)];
        const want = await run('cpu', op, a, b);
        const got = await run('native', op, a, b);
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i]) && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) throw new Error(`${op} ${name}: element ${i}: ${got[i]} vs ${want[i]}`);
      });
    }
  }

  it('gradients flow through the native kernels (mul and add with a broadcast bias) and no tensor leaks', async () => {
    await tf.setBackend('native');
    const before = tf.memory().numTensors;
    const x = tf.tensor(values([64, 688], 3), [64, 688]);
    const w = tf.tensor(values([688], 4), [688]);
    const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.mul(p, p), q), 0.5)))([x, w]);
    const gx = await g[0]!.data();
    const gw = await g[1]!.data();
    const xv = await x.data();
    for (let i = 0; i < 50; i++) expect(gx[i]).toBeCloseTo(xv[i]!, 5); // d/dp 0.5 p² = p
    for (let i = 0; i < 50; i++) expect(gw[i]).toBeCloseTo(32, 4); // d/dq sum 0.5 q over 64 rows
    tf.dispose([x, w, ...g]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
