/**
 * Shared plumbing of the WGSL kernels: a minimal `WebGPUProgram` (the structure tfjs-backend-webgpu's
 * `runWebGPUProgram` compiles and dispatches), WGSL snippets for workgroup reductions, and helpers that
 * move between `TensorInfo`s and tensors without leaking.
 *
 * Nothing here imports `@tensorflow/tfjs-backend-webgpu` at run time (only structural types), so this
 * module can be loaded before `navigator.gpu` exists. tfjs-backend-webgpu prepends to each program's
 * `getUserCode()` a header with: `var<private> localId / localIndex / globalId / workgroupId /
 * numWorkgroups`, `fn getGlobalIndex() -> i32`, a `uniforms` struct (`NAN`, `INFINITY`, `<input>Shape`,
 * `<input>ShapeStrides`, `outShape`, `outShapeStrides`, `size` when `program.size`, then
 * `program.uniforms`), the output array `result` and one read-only storage array per entry of
 * `variableNames` (`f32` for float32, `i32` for int32/bool). Its `_start` entry point calls our
 * `main(getGlobalIndex())`.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelInputError } from '../kernel-input-error';

/**
 * The fields of tfjs-backend-webgpu's `WebGPUProgram` our programs set. The shader must use every input
 * of `variableNames`: tfjs creates the pipeline with `layout: 'auto'`, which drops unused bindings, and
 * binding a buffer to a dropped slot invalidates the whole command buffer (silently, outputs stay 0).
 */
export interface WgslProgram {
  variableNames: string[];
  outputShape: number[];
  /** Prefix of the pipeline cache key; tfjs appends ranks, dtypes and the workgroup size. */
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** Declare `uniforms.size` (the number of output elements). */
  size?: boolean;
  /** Extra uniform fields, e.g. `'eps : f32, D : i32,'`, filled from the `uniforms` argument of {@link runProgram}. */
  uniforms?: string;
  getUserCode(): string;
}

/** One program-defined uniform value, as `runWebGPUProgram` takes it. */
export interface UniformValue {
  type: 'float32' | 'int32' | 'uint32';
  data: number[];
}

/** The part of tfjs-backend-webgpu's `WebGPUBackend` the kernels use. */
export interface WebGPUBackendLike extends tf.KernelBackend {
  runWebGPUProgram(program: WgslProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms?: UniformValue[]): tf.TensorInfo;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  incRef(dataId: tf.DataId): void;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

/** Checks that the kernel runs on a backend with `runWebGPUProgram` (the tfjs webgpu backend). */
export function asWebGPU(kernelName: string, backend: unknown): WebGPUBackendLike {
  const b = backend as Partial<WebGPUBackendLike> | null;
  if (b === null || typeof b !== 'object' || typeof b.runWebGPUProgram !== 'function') {
    throw new KernelInputError(kernelName, 'backend', `${kernelName} (webgpu kernel): the backend has no runWebGPUProgram; is it the tfjs 'webgpu' backend?`);
  }
  return b as WebGPUBackendLike;
}

/** `fn main(index : i32)`: the entry tfjs' `_start` calls with `getGlobalIndex()`. */
export const MAIN = 'fn main(index : i32)';

/** WGSL `f32` literal of the most negative finite float, the identity of a max reduction. */
export const NEG_MAX = '-3.402823e+38';

/**
 * A program over a flat output of `size` elements, one invocation per element (workgroup 64, flat
 * dispatch, reshaped by tfjs to 2D/3D when it exceeds the per-dimension limit). The body runs inside
 * `if (index < uniforms.size)` and sees `index : i32`; `prelude` (helper functions) goes before `main`.
 */
export function elementwiseProgram(
  key: string,
  variableNames: string[],
  outputShape: number[],
  uniforms: string,
  body: string,
  prelude = '',
): WgslProgram {
  const n = tf.util.sizeFromShape(outputShape);
  const wg = 64;
  return {
    variableNames,
    outputShape,
    shaderKey: `qm_${key}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.max(1, Math.ceil(n / wg)), 1, 1],
    workgroupSize: [wg, 1, 1],
    size: true,
    uniforms,
    getUserCode: () => `
      ${prelude}
      ${MAIN} {
        if (index < uniforms.size) {
          ${body}
        }
      }`,
  };
}

/** Workgroup size of the row programs: 64 threads for short rows, 256 for long ones (power of two). */
export function rowWorkgroupSize(cols: number): number {
  return cols >= 2048 ? 256 : 64;
}

/**
 * A program with one workgroup of `wg` threads per row. The code sees `row : i32` (row index),
 * `tid : i32` (thread in the row), `valid : bool` (`row < rows`; all threads of a workgroup agree) and
 * `WG` (the workgroup size). Barriers must stay in uniform control flow: guard work with `valid`, never
 * return early. The uniform struct starts with `rows : i32`, then `uniforms`: the values passed to
 * {@link runProgram} must start with `i32(rows)`.
 */
export function rowProgram(
  key: string,
  variableNames: string[],
  outputShape: number[],
  rows: number,
  wg: number,
  uniforms: string,
  shared: string,
  body: string,
): WgslProgram {
  return {
    variableNames,
    outputShape,
    shaderKey: `qm_${key}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.max(1, rows), 1, 1],
    workgroupSize: [wg, 1, 1],
    uniforms: `rows : i32, ${uniforms}`,
    getUserCode: () => `
      const WG : i32 = ${wg};
      ${shared}
      ${MAIN} {
        let tid = i32(localId.x);
        let row = index / WG;
        let valid = row < uniforms.rows;
        ${body}
      }`,
  };
}

/**
 * WGSL that reduces `value` (an `f32` expression each thread holds) over the workgroup with `op`
 * (`'sum'` or `'max'`) through the workgroup array `buf` (length `WG`), and binds the result to `let
 * out`. Ends with a barrier, so `buf` may be reused right after. Must run in uniform control flow.
 */
export function reduceSnippet(buf: string, value: string, op: 'sum' | 'max', out: string): string {
  const combine = op === 'sum' ? `${buf}[tid] + ${buf}[tid + stride]` : `max(${buf}[tid], ${buf}[tid + stride])`;
  return `
        ${buf}[tid] = ${value};
        workgroupBarrier();
        for (var stride : i32 = WG / 2; stride > 0; stride = stride / 2) {
          if (tid < stride) {
            ${buf}[tid] = ${combine};
          }
          workgroupBarrier();
        }
        let ${out} = ${buf}[0];
        workgroupBarrier();`;
}

/** A `TensorInfo` viewing the same data with another shape (no copy, no reference count change). */
export function view(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Runs `program` and returns its output viewed with `shape` (the program itself may use a flat shape). */
export function runProgram(
  backend: WebGPUBackendLike,
  program: WgslProgram,
  inputs: tf.TensorInfo[],
  uniforms: UniformValue[],
  shape: number[] = program.outputShape,
  dtype: tf.DataType = 'float32',
): tf.TensorInfo {
  const out = backend.runWebGPUProgram(program, inputs, dtype, uniforms);
  return tf.util.arraysEqual(out.shape, shape) ? out : view(out, shape);
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return tf.util.sizeFromShape(shape as number[]);
}

/** `i32` uniform. */
export const i32 = (v: number): UniformValue => ({ type: 'int32', data: [v] });
/** `f32` uniform. */
export const f32 = (v: number): UniformValue => ({ type: 'float32', data: [v] });

/** Attribute `name` as a finite number; throws a `KernelInputError` naming the kernel and the attribute otherwise. */
export function numAttr(kernelName: string, attrs: tf.NamedAttrMap | undefined, name: string): number {
  const v = attrs?.[name];
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new KernelInputError(kernelName, name, `${kernelName} (webgpu kernel): attribute '${name}' must be a number, got ${String(v)}`);
  }
  return v;
}

/** Input `name`; throws a `KernelInputError` naming the kernel and the input when it is missing. */
export function input(kernelName: string, inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (t === undefined || t === null) throw new KernelInputError(kernelName, name, `${kernelName} (webgpu kernel): missing input '${name}'`);
  return t;
}

/**
 * A tensor for a kernel input, for use with tfjs ops. Inputs that already are `tf.Tensor`s (what
 * `runKernel` from an op passes) are returned as is; a bare `TensorInfo` gets a new tensor holding its own
 * reference (dispose it). `owned` tells which.
 */
export function inputTensor(backend: WebGPUBackendLike, t: tf.TensorInfo): { tensor: tf.Tensor; owned: boolean } {
  if (t instanceof tf.Tensor) return { tensor: t, owned: false };
  backend.incRef(t.dataId);
  return { tensor: tf.engine().makeTensorFromTensorInfo(t, backend), owned: true };
}

/** A tensor that takes over a program output's reference (tracked by the enclosing `tf.tidy`). */
export function adopt(backend: WebGPUBackendLike, t: tf.TensorInfo): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(t, backend);
}

/**
 * WGSL helpers that classify floats by their bits (`x != x` may be folded away, and WGSL's `max`/`min`
 * are not required to propagate NaN): `qmIsNan`, `qmIsPosInf`, `qmIsNegInf`.
 */
export const FLOAT_CLASS_FNS = `
      fn qmIsNan(x : f32) -> bool {
        return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
      }
      fn qmIsPosInf(x : f32) -> bool {
        return bitcast<u32>(x) == 0x7f800000u;
      }
      fn qmIsNegInf(x : f32) -> bool {
        return bitcast<u32>(x) == 0xff800000u;
      }`;

/**
 * WGSL of a row program (see {@link rowProgram}) that binds `V` (`uniforms.V`), `base` (`row * V`),
 * `rowBad` and `lse` (`max + log Σ exp(x - max)` of the row of `logits`) in every thread. As PyTorch's
 * `log_softmax`, `rowBad` is true and `lse` is NaN when the row holds a NaN or a `+inf` or is all `-inf`
 * (explicitly: WGSL's `max` may drop NaN). `active` (a WGSL bool expression) skips the reads for rows
 * that do not need them (the reductions still run). Needs `var<workgroup> buf : array<f32, WG>` and
 * {@link FLOAT_CLASS_FNS}.
 */
export function rowLseSnippet(logits: string, active: string): string {
  return `
        let V = uniforms.V;
        let base = row * V;
        var mx = ${NEG_MAX};
        var badCount = 0.0;
        var liveCount = 0.0;
        if (${active}) {
          for (var c = tid; c < V; c += WG) {
            let xv = ${logits}[base + c];
            if (qmIsNan(xv) || qmIsPosInf(xv)) {
              badCount += 1.0;
            } else if (!qmIsNegInf(xv)) {
              liveCount += 1.0;
              mx = max(mx, xv);
            }
          }
        }
        ${reduceSnippet('buf', 'mx', 'max', 'rowMax')}
        ${reduceSnippet('buf', 'badCount', 'sum', 'rowBadCount')}
        ${reduceSnippet('buf', 'liveCount', 'sum', 'rowLiveCount')}
        let rowBad = rowBadCount > 0.0 || rowLiveCount == 0.0;
        var se = 0.0;
        if (${active} && !rowBad) {
          for (var c = tid; c < V; c += WG) {
            se += exp(${logits}[base + c] - rowMax);
          }
        }
        ${reduceSnippet('buf', 'se', 'sum', 'rowSum')}
        let lse = select(rowMax + log(rowSum), uniforms.NAN, rowBad);`;
}

/** `var<workgroup> buf : array<f32, WG>;` — the scratch array of {@link reduceSnippet} and {@link rowLseSnippet} — and {@link FLOAT_CLASS_FNS}. */
export const SHARED_BUF = 'var<workgroup> buf : array<f32, WG>;' + FLOAT_CLASS_FNS;
