/**
 * Tolerances and array comparison used by the fixture, gradcheck, leak, op and kernel tests.
 *
 * Error metric: `err(a, b) = |a - b| / max(|b|, 1)` with `b` the reference value. It is a relative error
 * for values of magnitude >= 1 and an absolute error below that, so values near zero (a gradient that is
 * almost 0, an attention output of a nearly cancelling sum) are not held to an impossible relative bound.
 * A comparison passes when the worst element's error is <= the tolerance. NaN/Infinity in the actual
 * values count as an infinite error.
 */
import { expect } from 'vitest';

/** Tolerance of kernel outputs and gradients against the float64 PyTorch reference, per backend. */
export const FIXTURE_TOLERANCE: Readonly<Record<string, number>> = {
  cpu: 1e-4,
  wasm: 1e-4,
  // WGSL has no stricter float rules than the others here (exp/log/sqrt are within a few ulp on every
  // implementation we target), so webgpu is held to the same bound.
  webgpu: 1e-4,
};

/** Tolerance for a fixture comparison on `backend` (1e-4 for unknown backends). */
export function fixtureTolerance(backend: string): number {
  return FIXTURE_TOLERANCE[backend] ?? 1e-4;
}

/** The error of `actual` against the reference `expected`: `|a - b| / max(|b|, 1)`. */
export function elementError(actual: number, expected: number): number {
  if (!Number.isFinite(actual)) return Number.POSITIVE_INFINITY;
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1);
}

/** Worst element of a comparison. */
export interface Comparison {
  /** Largest {@link elementError} (0 for empty arrays). */
  worst: number;
  /** Flat index of the worst element (-1 for empty arrays). */
  index: number;
  actual: number;
  expected: number;
}

/** Compares two flat arrays element by element; throws `RangeError` when their lengths differ. */
export function compareArrays(actual: ArrayLike<number>, expected: ArrayLike<number>): Comparison {
  if (actual.length !== expected.length) {
    throw new RangeError(`compareArrays: actual has ${actual.length} values, expected ${expected.length}`);
  }
  let worst = 0;
  let index = -1;
  for (let i = 0; i < actual.length; i++) {
    const e = elementError(actual[i]!, expected[i]!);
    if (index < 0 || e > worst || Number.isNaN(e)) {
      worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : e;
      index = i;
      if (worst === Number.POSITIVE_INFINITY) break;
    }
  }
  return {
    worst,
    index,
    actual: index >= 0 ? actual[index]! : Number.NaN,
    expected: index >= 0 ? expected[index]! : Number.NaN,
  };
}

/** Human-readable description of a comparison, for assertion messages. */
export function describeComparison(what: string, c: Comparison, shape?: readonly number[]): string {
  const at = shape ? ` at ${JSON.stringify(unravel(c.index, shape))}` : ` at flat index ${c.index}`;
  return `${what}: worst error ${c.worst.toExponential(3)}${at} (actual ${c.actual}, expected ${c.expected})`;
}

/**
 * Asserts that every element of `actual` is within `tol` of the reference `expected` ({@link elementError},
 * worst element `<= tol`); the failure message names `what` and the worst element (at its multi-index in
 * `shape` when given).
 */
export function expectWithin(
  what: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  shape?: readonly number[],
): void {
  const c = compareArrays(actual, expected);
  expect(c.worst, describeComparison(what, c, shape)).toBeLessThanOrEqual(tol);
}

/** Multi-index of flat index `i` in a row-major `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  let r = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    idx[d] = r % n;
    r = Math.floor(r / n);
  }
  return idx;
}

/** Keeps the worst error seen per (backend, op) and prints them as a table. */
export class WorstErrors {
  private readonly rows = new Map<string, { backend: string; op: string; worst: number; where: string }>();

  /** Records `err` for (backend, op) if it is the worst so far. */
  record(backend: string, op: string, err: number, where: string): void {
    const key = `${backend}\u0000${op}`;
    const prev = this.rows.get(key);
    if (!prev || err > prev.worst || Number.isNaN(err)) this.rows.set(key, { backend, op, worst: err, where });
  }

  /** Rows sorted by backend then op, errors formatted. */
  table(): Array<{ backend: string; op: string; worst: string; where: string }> {
    return [...this.rows.values()]
      .sort((a, b) => (a.backend === b.backend ? a.op.localeCompare(b.op) : a.backend.localeCompare(b.backend)))
      .map((r) => ({ backend: r.backend, op: r.op, worst: r.worst.toExponential(2), where: r.where }));
  }

  /** Prints the table under `title` (no-op when empty). */
  print(title: string): void {
    if (this.rows.size === 0) return;
    console.log(title);
    console.table(this.table());
  }
}
