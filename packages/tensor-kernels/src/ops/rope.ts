/**
 * Rotary position embedding (Llama / Hugging Face `rotate_half` layout).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rope } from '../kernels/names';
import { ensureKernels } from '../kernels/register';
import { assertDtype, assertNumber, assertTensor, cheapSyncRead, fmtShape } from './validate';

/** Options of {@link rope}. */
export interface RopeOptions {
  /** Position of the first time step when `positions` is not given: positions are `offset + t` (default 0). */
  offset?: number;
  /** Explicit int32 positions, `[T]` (shared by the batch) or `[B, T]` (per row, e.g. left padding). */
  positions?: tf.Tensor;
  /** Base of the rotary frequencies (default 10000). */
  theta?: number;
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

/** cos/sin tables `[rows, T, Dh/2]` of integer positions, with angles and trigonometry in double precision. */
function tablesFromValues(positions: ArrayLike<number>, rows: number, t: number, invFreq: Float32Array) {
  const h = invFreq.length;
  const cos = new Float32Array(rows * t * h);
  const sin = new Float32Array(rows * t * h);
  for (let r = 0; r < rows * t; r++) {
    const p = positions[r]!;
    for (let i = 0; i < h; i++) {
      const a = p * invFreq[i]!;
      cos[r * h + i] = Math.cos(a);
      sin[r * h + i] = Math.sin(a);
    }
  }
  return { cos: tf.tensor3d(cos, [rows, t, h]), sin: tf.tensor3d(sin, [rows, t, h]) };
}

function checkHeadDim(op: string, headDim: unknown): asserts headDim is number {
  assertNumber(op, 'headDim', headDim, { min: 2, integer: true });
  if (headDim % 2 !== 0) throw new RangeError(`${op}: headDim must be even, got ${headDim}`);
}

function checkTheta(op: string, theta: unknown): asserts theta is number {
  assertNumber(op, 'theta', theta, { min: 0, minExclusive: true });
}

function checkPositions(op: string, positions: unknown): asserts positions is tf.Tensor {
  assertTensor(op, 'positions', positions);
  assertDtype(op, 'positions', positions, 'int32');
  if (positions.rank !== 1 && positions.rank !== 2) {
    throw new TypeError(`${op}: positions must be [T] or [B, T], got rank ${positions.rank} (shape ${fmtShape(positions.shape)})`);
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
 * @param positions - int32 `[T]` or `[B, T]`
 * @param headDim - the (even) head dimension Dh
 * @param theta - frequency base (default 10000)
 * @returns float32 `{cos, sin}`, each `[Bc, T, Dh/2]` with Bc = 1 for `[T]` positions and B for `[B, T]`;
 *   the caller owns (and disposes) them.
 * @throws TypeError for wrong dtype or rank of `positions`; RangeError for an odd or non-positive
 *   `headDim` or a non-positive `theta`.
 */
export function ropeTables(positions: tf.Tensor, headDim: number, theta = 10000): { cos: tf.Tensor3D; sin: tf.Tensor3D } {
  const op = 'ropeTables';
  checkPositions(op, positions);
  checkHeadDim(op, headDim);
  checkTheta(op, theta);
  const rows = positions.rank === 2 ? positions.shape[0]! : 1;
  const t = positions.shape[positions.rank - 1]!;
  const invFreq = ropeInvFreq(headDim, theta);
  if (cheapSyncRead()) return tablesFromValues(positions.dataSync(), rows, t, invFreq);
  return tf.tidy(() => {
    const ang = tf.mul(
      tf.reshape(tf.cast(positions, 'float32'), [rows, t, 1]),
      tf.tensor3d(invFreq, [1, 1, invFreq.length]),
    );
    return { cos: tf.cos(ang) as tf.Tensor3D, sin: tf.sin(ang) as tf.Tensor3D };
  });
}

/**
 * Applies rotary position embeddings to `x` [B, H, T, Dh] (Hugging Face `rotate_half` layout): with
 * `h = Dh/2`, `y[..., :h] = x1 cos - x2 sin`, `y[..., h:] = x2 cos + x1 sin`.
 *
 * Positions are `offset + t` (tables computed in double precision on the CPU) or the explicit int32
 * `positions` (see {@link ropeTables} for their precision). Differentiable with respect to `x`.
 *
 * @param x - float32 `[B, H, T, Dh]` with Dh even
 * @param options - `offset` (integer >= 0, default 0) or `positions` (int32 `[T]` or `[B, T]`, not both),
 *   and `theta` (default 10000)
 * @returns float32 `[B, H, T, Dh]`
 * @throws TypeError for a wrong dtype/rank or when both `offset` and `positions` are given; RangeError for
 *   an odd Dh, a negative/non-integer offset or positions whose shape does not match `x`.
 */
export function rope(x: tf.Tensor4D | tf.Tensor, options: RopeOptions = {}): tf.Tensor4D {
  const op = 'rope';
  assertTensor(op, 'x', x);
  assertDtype(op, 'x', x, 'float32');
  if (x.rank !== 4) throw new TypeError(`${op}: x must be [B, H, T, Dh], got rank ${x.rank} (shape ${fmtShape(x.shape)})`);
  const [b, , t, dh] = x.shape as [number, number, number, number];
  if (dh % 2 !== 0 || dh === 0) throw new RangeError(`${op}: x's head dimension must be even and positive, got Dh = ${dh} (x ${fmtShape(x.shape)})`);
  const { offset, positions } = options;
  const theta = options.theta ?? 10000;
  checkTheta(op, theta);
  let tables: { cos: tf.Tensor3D; sin: tf.Tensor3D };
  if (positions !== undefined) {
    if (offset !== undefined) {
      throw new TypeError(`${op}: give either options.offset or options.positions, not both (offset ${offset}, positions ${fmtShape((positions as tf.Tensor).shape ?? [])})`);
    }
    checkPositions(op, positions);
    const pt = positions.shape[positions.rank - 1];
    if (pt !== t) {
      throw new RangeError(`${op}: positions has shape ${fmtShape(positions.shape)}, but x ${fmtShape(x.shape)} has T = ${t}`);
    }
    if (positions.rank === 2 && positions.shape[0] !== b && positions.shape[0] !== 1) {
      throw new RangeError(`${op}: positions has shape ${fmtShape(positions.shape)}, but x ${fmtShape(x.shape)} has B = ${b} (expected [${b}, ${t}], [1, ${t}] or [${t}])`);
    }
    tables = ropeTables(positions, dh, theta);
  } else {
    const off = offset ?? 0;
    assertNumber(op, 'options.offset', off, { min: 0, integer: true });
    const pos = new Float64Array(t);
    for (let i = 0; i < t; i++) pos[i] = off + i;
    tables = tablesFromValues(pos, 1, t, ropeInvFreq(dh, theta));
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
