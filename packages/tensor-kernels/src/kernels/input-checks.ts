/**
 * Shape and dtype checks of the fused kernels' inputs, shared by the wasm and webgpu kernels. The ops
 * validate their arguments before `runKernel`; these checks make a kernel called directly through
 * `tf.engine().runKernel` fail with a {@link KernelInputError} (naming the kernel and the input) instead
 * of reading or writing outside a buffer.
 *
 * @packageDocumentation
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { KernelInputError } from './kernel-input-error';

const shapeText = (t: TensorInfo): string => `[${t.shape.join(', ')}]`;

/** Number of elements of a shape. */
function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws a {@link KernelInputError} from kernel `where` (e.g. `'QmRope (wasm kernel)'`) about `field`. */
export function kernelFail(where: string, field: string, text: string): never {
  throw new KernelInputError(where, field, `${where}: ${text}`);
}

/** Checks that input `field` exists and has dtype `dtype`. */
export function checkDtype(where: string, field: string, t: TensorInfo | undefined, dtype: string): TensorInfo {
  if (t === undefined || t === null) kernelFail(where, field, `missing input '${field}'`);
  if (t.dtype !== dtype) kernelFail(where, field, `${field} must be ${dtype}, got ${t.dtype} (shape ${shapeText(t)})`);
  return t;
}

/** Checks that `b` has as many elements as `a` (the elementwise kernels); returns the element count. */
export function checkSameSize(where: string, a: string, ta: TensorInfo, b: string, tb: TensorInfo): number {
  const n = size(ta.shape);
  if (size(tb.shape) !== n) kernelFail(where, b, `${b} ${shapeText(tb)} must have the size of ${a} ${shapeText(ta)}`);
  return n;
}

/** logits [N, V] float32 with int32 `labelName` [N]; returns [N, V]. */
export function logitsRows(where: string, logits: TensorInfo, labels: TensorInfo, labelName: string): [number, number] {
  checkDtype(where, 'logits', logits, 'float32');
  checkDtype(where, labelName, labels, 'int32');
  if (logits.shape.length !== 2) kernelFail(where, 'logits', `logits must be [N, V], got ${shapeText(logits)}`);
  const [N, V] = logits.shape as [number, number];
  if (labels.shape.length !== 1 || labels.shape[0] !== N) {
    kernelFail(where, labelName, `${labelName} must be [${N}] for logits [${N}, ${V}], got ${shapeText(labels)}`);
  }
  return [N, V];
}

/** The sizes of an attention call. */
export interface AttentionDims {
  B: number;
  Hq: number;
  Hkv: number;
  Tq: number;
  Tk: number;
  Dh: number;
}

/** Checks q [B, Hq, Tq, Dh], k = v [B, Hkv, Tk, Dh] (Hkv | Hq, Tk >= Tq, Dh >= 1), keyMask [B, Tk]. */
export function attentionDims(
  where: string,
  q: TensorInfo,
  k: TensorInfo,
  v: TensorInfo,
  keyMask: TensorInfo | undefined,
): AttentionDims {
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) {
    checkDtype(where, name, t, 'float32');
    if (t.shape.length !== 4) kernelFail(where, name, `${name} must be 4-D [B, H, T, Dh], got ${shapeText(t)}`);
  }
  const [B, Hq, Tq, Dh] = q.shape as [number, number, number, number];
  const [Bk, Hkv, Tk, Dk] = k.shape as [number, number, number, number];
  if (Bk !== B || Dk !== Dh) kernelFail(where, 'k', `k must be [${B}, Hkv, Tk, ${Dh}] for q ${shapeText(q)}, got ${shapeText(k)}`);
  if (v.shape.some((d, i) => d !== k.shape[i])) kernelFail(where, 'v', `v must have the shape of k ${shapeText(k)}, got ${shapeText(v)}`);
  if (Hkv === 0 || Hq % Hkv !== 0) {
    kernelFail(where, 'k', `the query heads (${Hq}, q ${shapeText(q)}) must be a multiple of the kv heads (${Hkv}, k ${shapeText(k)})`);
  }
  if (Tk < Tq) kernelFail(where, 'k', `k must have at least as many positions as q, got q ${shapeText(q)}, k ${shapeText(k)}`);
  if (Dh === 0) kernelFail(where, 'q', `the head dim must be >= 1, got q ${shapeText(q)}`);
  if (keyMask !== undefined) {
    if (!['float32', 'int32', 'bool'].includes(keyMask.dtype)) {
      kernelFail(where, 'keyMask', `keyMask must be float32, int32 or bool, got ${keyMask.dtype} (shape ${shapeText(keyMask)})`);
    }
    if (keyMask.shape.length !== 2 || keyMask.shape[0] !== B || keyMask.shape[1] !== Tk) {
      kernelFail(where, 'keyMask', `keyMask must be [${B}, ${Tk}], got ${shapeText(keyMask)}`);
    }
  }
  return { B, Hq, Hkv, Tq, Tk, Dh };
}

/** x [..., D] float32 and weight [D] float32; returns [rows, D]. */
export function rmsNormRows(where: string, x: TensorInfo, weight: TensorInfo): [number, number] {
  checkDtype(where, 'x', x, 'float32');
  checkDtype(where, 'weight', weight, 'float32');
  if (x.shape.length === 0) kernelFail(where, 'x', 'x must have rank >= 1 ([..., D]), got a scalar');
  const D = x.shape[x.shape.length - 1]!;
  if (weight.shape.length !== 1 || weight.shape[0] !== D) {
    kernelFail(where, 'weight', `weight must be [${D}] for x ${shapeText(x)}, got ${shapeText(weight)}`);
  }
  return [D === 0 ? 0 : size(x.shape) / D, D];
}

/** x [B, H, T, Dh] (Dh even) and cos/sin [Bc, T, Dh/2] with Bc ∈ {1, B}; returns the sizes. */
export function ropeDims(where: string, x: TensorInfo, cos: TensorInfo, sin: TensorInfo) {
  for (const [name, t] of [['x', x], ['cos', cos], ['sin', sin]] as const) checkDtype(where, name, t, 'float32');
  if (x.shape.length !== 4) kernelFail(where, 'x', `x must be [B, H, T, Dh], got ${shapeText(x)}`);
  const [B, H, T, Dh] = x.shape as [number, number, number, number];
  if (Dh % 2 !== 0) kernelFail(where, 'x', `x's head dim must be even, got ${shapeText(x)}`);
  const half = Dh / 2;
  const Bc = cos.shape[0] ?? 0;
  for (const [name, t] of [['cos', cos], ['sin', sin]] as const) {
    const ok = t.shape.length === 3 && t.shape[0] === Bc && t.shape[1] === T && t.shape[2] === half && (Bc === 1 || Bc === B);
    if (!ok) kernelFail(where, name, `${name} must be [1 or ${B}, ${T}, ${half}] for x ${shapeText(x)}, got ${shapeText(t)}`);
  }
  return { B, H, T, Dh, Bc };
}
