/**
 * Rotary position embedding (Llama / Hugging Face `rotate_half` layout).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rope } from '../kernels/names';
import { ensureKernels } from '../kernels/register';
import { assertDtype, assertNumber, assertTensor, cheapSyncRead, fail, fmtShape } from './validate';

/** Options of {@link rope}. */
export interface RopeOptions {
  /** Position of the first time step when `positions` is not given: positions are `offset + t` (default 0). */
  offset?: number;
  /** Explicit int32 positions, `[T]` (shared by the batch) or `[B, T]` (per row, e.g. left padding). */
  positions?: tf.Tensor;
  /** Base of the rotary frequencies (default 10000). Ignored when `invFreq` is given. */
  theta?: number;
  /**
   * Precomputed inverse frequencies, length `Dh / 2` (e.g. after Hugging Face rope scaling: linear, dynamic
   * NTK, YaRN, Llama 3); replaces the `theta` schedule. Each value must be finite and positive (checked for
   * arrays, and for a float32 `[Dh/2]` tensor on backends with a cheap synchronous read). A tensor lets GPU
   * backends build the tables without reading anything back.
   */
  invFreq?: Float32Array | readonly number[] | tf.Tensor;
  /**
   * Factor applied to the cos/sin tables (Hugging Face `attention_scaling`, e.g. YaRN's mscale): the rotated
   * output is `attentionScaling · rope(x)`. Finite and positive; default 1.
   */
  attentionScaling?: number;
  /**
   * Precomputed cos/sin tables, each float32 `[1, T, Dh/2]` or `[B, T, Dh/2]` (from {@link ropeTables} or
   * {@link ropeTablesAt}), shared by several calls: q and k of every layer of one forward pass need the same tables,
   * so a decoder builds them once instead of once per call. With `tables`, `offset`, `positions`, `theta`, `invFreq`
   * and `attentionScaling` must be absent (the tables already hold them). `rope` does not dispose them.
   */
  tables?: { cos: tf.Tensor; sin: tf.Tensor };
}

/** Table options shared by {@link rope} and {@link ropeTables}. */
export interface RopeTableOptions {
  /** See {@link RopeOptions.invFreq}. */
  invFreq?: Float32Array | readonly number[] | tf.Tensor;
  /** See {@link RopeOptions.attentionScaling}. */
  attentionScaling?: number;
}

/**
 * `inv_freq[i] = 1 / theta^(2i / Dh)` for `i < Dh/2`, each step rounded to float32 exactly as Hugging Face
 * computes `1.0 / (theta ** (torch.arange(0, Dh, 2).float() / Dh))`.
 */
export function ropeInvFreq(headDim: number, theta: number): Float32Array {
  const h = headDim / 2;
  const out = new Float32Array(h);
  const base = Math.fround(theta);
  for (let i = 0; i < h; i++) {
    const e = Math.fround((2 * i) / headDim);
    out[i] = Math.fround(1 / Math.fround(base ** e));
  }
  return out;
}

/**
 * cos/sin tables `[rows, T, Dh/2]` of integer positions, with angles and trigonometry in double precision,
 * each multiplied by `scaling`.
 */
function tablesFromValues(positions: ArrayLike<number>, rows: number, t: number, invFreq: Float32Array, scaling = 1) {
  const h = invFreq.length;
  const cos = new Float32Array(rows * t * h);
  const sin = new Float32Array(rows * t * h);
  for (let r = 0; r < rows * t; r++) {
    const p = positions[r]!;
    for (let i = 0; i < h; i++) {
      const a = p * invFreq[i]!;
      cos[r * h + i] = Math.cos(a) * scaling;
      sin[r * h + i] = Math.sin(a) * scaling;
    }
  }
  return { cos: tf.tensor3d(cos, [rows, t, h]), sin: tf.tensor3d(sin, [rows, t, h]) };
}

function checkHeadDim(op: string, headDim: unknown): asserts headDim is number {
  assertNumber(op, 'headDim', headDim, { min: 2, integer: true });
  if (headDim % 2 !== 0) fail(op, 'headDim', `headDim must be even, got ${headDim}`);
}

function checkTheta(op: string, theta: unknown): asserts theta is number {
  assertNumber(op, 'theta', theta, { min: 0, minExclusive: true });
}

/**
 * The inverse frequencies and cos/sin scaling a call uses: `options.invFreq` (checked: length `Dh/2`,
 * finite and positive) or the `theta` schedule, and `options.attentionScaling` (finite, positive; default 1).
 */
function resolveFrequencies(
  op: string,
  headDim: number,
  theta: number,
  options: RopeTableOptions,
): { invFreq: Float32Array | tf.Tensor; scaling: number } {
  const scaling = options.attentionScaling ?? 1;
  assertNumber(op, 'attentionScaling', scaling, { min: 0, minExclusive: true });
  let given = options.invFreq;
  if (given === undefined) return { invFreq: ropeInvFreq(headDim, theta), scaling };
  if (given instanceof tf.Tensor) {
    assertDtype(op, 'options.invFreq', given, 'float32');
    if (given.rank !== 1 || given.shape[0] !== headDim / 2) {
      fail(op, 'options.invFreq', `invFreq has shape ${fmtShape(given.shape)}, expected [Dh / 2] = [${headDim / 2}]`);
    }
    if (!cheapSyncRead()) return { invFreq: given, scaling };
    given = given.dataSync() as Float32Array;
  }
  if (!(given instanceof Float32Array) && !Array.isArray(given)) {
    fail(op, 'options.invFreq', `invFreq must be a Float32Array or an array of numbers, got ${typeof given}`);
  }
  if (given.length !== headDim / 2) {
    fail(op, 'options.invFreq', `invFreq has length ${given.length}, expected Dh / 2 = ${headDim / 2}`);
  }
  const invFreq = Float32Array.from(given);
  for (let i = 0; i < invFreq.length; i++) {
    const f = invFreq[i]!;
    if (!Number.isFinite(f) || f <= 0) fail(op, 'options.invFreq', `invFreq[${i}] must be finite and positive, got ${given[i]}`);
  }
  return { invFreq, scaling };
}

function checkPositions(op: string, positions: unknown): asserts positions is tf.Tensor {
  assertTensor(op, 'positions', positions);
  assertDtype(op, 'positions', positions, 'int32');
  if (positions.rank !== 1 && positions.rank !== 2) {
    fail(op, 'positions', `positions must be [T] or [B, T], got rank ${positions.rank} (shape ${fmtShape(positions.shape)})`);
  }
}

/**
 * The rotary tables of integer positions: `cos[b, t, i] = cos(positions[b, t] * inv_freq[i])` (and sin),
 * with `inv_freq[i] = theta^(-2i/Dh)` in float32 as in Hugging Face.
 *
 * Precision: on backends that keep tensors in CPU memory (cpu, wasm, tensorflow) the positions are read
 * back and the angles and cos/sin are computed in double precision, then rounded to float32. On GPU
 * backends (no cheap synchronous read) they are computed with float32 tfjs ops, like Hugging Face does
 * in PyTorch; the angle then carries a relative rounding error of ~6e-8, i.e. ~1e-4 absolute at position
 * 2000 for the fastest frequency.
 *
 * With `options.invFreq` the given inverse frequencies replace the `theta` schedule, and both tables are
 * multiplied by `options.attentionScaling` (Hugging Face's `cos = emb.cos() * attention_scaling`).
 *
 * @param positions - int32 `[T]` or `[B, T]`
 * @param headDim - the (even) head dimension Dh
 * @param theta - frequency base (default 10000; unused with `options.invFreq`)
 * @param options - `invFreq` (length Dh/2) and `attentionScaling` (default 1)
 * @returns float32 `{cos, sin}`, each `[Bc, T, Dh/2]` with Bc = 1 for `[T]` positions and B for `[B, T]`;
 *   the caller owns (and disposes) them.
 * @throws KernelInputError (naming the argument) for a wrong dtype or rank of `positions`, an odd or
 *   non-positive `headDim`, a non-positive `theta`, an `invFreq` of the wrong length or with a non-positive
 *   value, or a non-positive `attentionScaling`.
 */
export function ropeTables(
  positions: tf.Tensor,
  headDim: number,
  theta = 10000,
  options: RopeTableOptions = {},
): { cos: tf.Tensor3D; sin: tf.Tensor3D } {
  const op = 'ropeTables';
  checkPositions(op, positions);
  checkHeadDim(op, headDim);
  checkTheta(op, theta);
  const rows = positions.rank === 2 ? positions.shape[0]! : 1;
  const t = positions.shape[positions.rank - 1]!;
  const { invFreq, scaling } = resolveFrequencies(op, headDim, theta, options);
  if (cheapSyncRead() && invFreq instanceof Float32Array) return tablesFromValues(positions.dataSync(), rows, t, invFreq, scaling);
  return tablesWithOps(positions, rows, t, invFreq, scaling);
}

/**
 * The rotary tables of positions `offset … offset + length − 1` (shared by the batch): what {@link rope} builds for
 * `options.offset`, for callers that share one pair of tables between calls ({@link RopeOptions.tables}).
 *
 * @returns float32 `{cos, sin}`, each `[1, length, Dh/2]`; the caller owns (and disposes) them.
 * @throws KernelInputError (naming the argument) for a negative or fractional `offset`, a `length` below 1, an odd
 *   or non-positive `headDim`, a non-positive `theta`, or a bad `invFreq` / `attentionScaling`.
 */
export function ropeTablesAt(
  offset: number,
  length: number,
  headDim: number,
  theta = 10000,
  options: RopeTableOptions = {},
): { cos: tf.Tensor3D; sin: tf.Tensor3D } {
  const op = 'ropeTablesAt';
  assertNumber(op, 'offset', offset, { min: 0, integer: true });
  assertNumber(op, 'length', length, { min: 1, integer: true });
  checkHeadDim(op, headDim);
  checkTheta(op, theta);
  return offsetTables(op, offset, length, headDim, theta, options);
}

function offsetTables(op: string, off: number, t: number, dh: number, theta: number, options: RopeTableOptions): { cos: tf.Tensor3D; sin: tf.Tensor3D } {
  const { invFreq, scaling } = resolveFrequencies(op, dh, theta, options);
  if (invFreq instanceof Float32Array) {
    const pos = new Float64Array(t);
    for (let i = 0; i < t; i++) pos[i] = off + i;
    return tablesFromValues(pos, 1, t, invFreq, scaling);
  }
  const p = tf.range(off, off + t, 1, 'int32');
  try {
    return tablesWithOps(p, 1, t, invFreq, scaling);
  } finally {
    p.dispose();
  }
}

function checkTables(op: string, tables: { cos: tf.Tensor; sin: tf.Tensor }, b: number, t: number, dh: number, options: RopeOptions): void {
  for (const k of ['offset', 'positions', 'theta', 'invFreq', 'attentionScaling'] as const) {
    if (options[k] !== undefined) fail(op, 'options.tables', `give either options.tables or options.${k}, not both (the tables already hold the positions and frequencies)`);
  }
  for (const name of ['cos', 'sin'] as const) {
    const x = tables[name];
    assertTensor(op, `options.tables.${name}`, x);
    assertDtype(op, `options.tables.${name}`, x, 'float32');
    const ok = x.rank === 3 && (x.shape[0] === 1 || x.shape[0] === b) && x.shape[1] === t && x.shape[2] === dh / 2;
    if (!ok) fail(op, `options.tables.${name}`, `options.tables.${name} has shape ${fmtShape(x.shape)}, expected [1, ${t}, ${dh / 2}] or [${b}, ${t}, ${dh / 2}]`);
  }
}

/** cos/sin tables `[rows, T, Dh/2]` with float32 tfjs ops (no read back: GPU backends). */
function tablesWithOps(positions: tf.Tensor, rows: number, t: number, invFreq: Float32Array | tf.Tensor, scaling: number) {
  return tf.tidy(() => {
    const h = invFreq instanceof tf.Tensor ? invFreq.shape[0]! : invFreq.length;
    const freq = invFreq instanceof tf.Tensor ? tf.reshape(invFreq, [1, 1, h]) : tf.tensor3d(invFreq, [1, 1, h]);
    const ang = tf.mul(tf.reshape(tf.cast(positions, 'float32'), [rows, t, 1]), freq);
    if (scaling === 1) return { cos: tf.cos(ang) as tf.Tensor3D, sin: tf.sin(ang) as tf.Tensor3D };
    return { cos: tf.mul(tf.cos(ang), scaling) as tf.Tensor3D, sin: tf.mul(tf.sin(ang), scaling) as tf.Tensor3D };
  });
}

/**
 * Applies rotary position embeddings to `x` [B, H, T, Dh] (Hugging Face `rotate_half` layout): with
 * `h = Dh/2`, `y[..., :h] = x1 cos - x2 sin`, `y[..., h:] = x2 cos + x1 sin`.
 *
 * Positions are `offset + t` (tables computed in double precision on the CPU) or the explicit int32
 * `positions` (see {@link ropeTables} for their precision). The frequencies are `theta^(-2i/Dh)` or the
 * precomputed `invFreq` (rope scaling), and the tables are multiplied by `attentionScaling` (default 1), as
 * Hugging Face does. Differentiable with respect to `x`.
 *
 * @param x - float32 `[B, H, T, Dh]` with Dh even
 * @param options - `offset` (integer >= 0, default 0) or `positions` (int32 `[T]` or `[B, T]`, not both),
 *   `theta` (default 10000), `invFreq` (length Dh/2) and `attentionScaling`
 * @returns float32 `[B, H, T, Dh]`
 * @throws KernelInputError (naming the argument) for a wrong dtype/rank, both `offset` and `positions`
 *   given, an odd Dh, a negative/non-integer offset, positions whose shape does not match `x`, or a bad
 *   `invFreq` / `attentionScaling`.
 */
export function rope(x: tf.Tensor4D | tf.Tensor, options: RopeOptions = {}): tf.Tensor4D {
  const op = 'rope';
  assertTensor(op, 'x', x);
  assertDtype(op, 'x', x, 'float32');
  if (x.rank !== 4) fail(op, 'x', `x must be [B, H, T, Dh], got rank ${x.rank} (shape ${fmtShape(x.shape)})`);
  const [b, , t, dh] = x.shape as [number, number, number, number];
  if (dh % 2 !== 0 || dh === 0) fail(op, 'x', `x's head dimension must be even and positive, got Dh = ${dh} (x ${fmtShape(x.shape)})`);
  if (options.tables !== undefined) {
    checkTables(op, options.tables, b, t, dh, options);
    ensureKernels();
    return tf.engine().runKernel(Rope, { x, cos: options.tables.cos, sin: options.tables.sin }, {}) as tf.Tensor4D;
  }
  const { offset, positions } = options;
  const theta = options.theta ?? 10000;
  checkTheta(op, theta);
  const tableOptions: RopeTableOptions = {};
  if (options.invFreq !== undefined) tableOptions.invFreq = options.invFreq;
  if (options.attentionScaling !== undefined) tableOptions.attentionScaling = options.attentionScaling;
  let tables: { cos: tf.Tensor3D; sin: tf.Tensor3D };
  if (positions !== undefined) {
    if (offset !== undefined) {
      fail(op, 'options.positions', `give either options.offset or options.positions, not both (offset ${offset}, positions ${fmtShape((positions as tf.Tensor).shape ?? [])})`);
    }
    checkPositions(op, positions);
    const pt = positions.shape[positions.rank - 1];
    if (pt !== t) {
      fail(op, 'positions', `positions has shape ${fmtShape(positions.shape)}, but x ${fmtShape(x.shape)} has T = ${t}`);
    }
    if (positions.rank === 2 && positions.shape[0] !== b && positions.shape[0] !== 1) {
      fail(op, 'positions', `positions has shape ${fmtShape(positions.shape)}, but x ${fmtShape(x.shape)} has B = ${b} (expected [${b}, ${t}], [1, ${t}] or [${t}])`);
    }
    tables = ropeTables(positions, dh, theta, tableOptions);
  } else {
    const off = offset ?? 0;
    assertNumber(op, 'options.offset', off, { min: 0, integer: true });
    tables = offsetTables(op, off, t, dh, theta, tableOptions);
  }
  ensureKernels();
  try {
    return tf.engine().runKernel(Rope, { x, cos: tables.cos, sin: tables.sin }, {}) as tf.Tensor4D;
  } finally {
    // the engine keeps its own references when the call is recorded for a gradient
    tables.cos.dispose();
    tables.sin.dispose();
  }
}
