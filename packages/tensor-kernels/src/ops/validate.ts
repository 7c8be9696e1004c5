/**
 * Argument checks shared by the fused ops. Every check throws a {@link KernelInputError} (a
 * `TensorKernelsError`) whose `op` and `field` name the op and the argument, and whose message starts with
 * the op's name, names the argument and shows the shapes or values involved.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelInputError } from '../kernels/kernel-input-error';

/** `[2, 3, 4]` formatting of a shape for error messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws a {@link KernelInputError} for `field` of `op` with the message `${op}: ${text}`. */
export function fail(op: string, field: string, text: string): never {
  throw new KernelInputError(op, field, `${op}: ${text}`);
}

/** Throws unless `t` is a tfjs tensor that has not been disposed. */
export function assertTensor(op: string, name: string, t: unknown): asserts t is tf.Tensor {
  if (!(t instanceof tf.Tensor)) {
    fail(op, name, `${name} must be a tf.Tensor, got ${t === null ? 'null' : typeof t}`);
  }
  if (t.isDisposed) {
    fail(op, name, `${name} (shape ${fmtShape(t.shape)}) has been disposed`);
  }
}

/** Throws unless `t` has one of `dtypes`. */
export function assertDtype(op: string, name: string, t: tf.Tensor, ...dtypes: tf.DataType[]): void {
  if (!dtypes.includes(t.dtype)) {
    fail(op, name, `${name} must be ${dtypes.join(' or ')}, got ${t.dtype} (shape ${fmtShape(t.shape)})`);
  }
}

/** Throws unless `t` has rank `rank` (or one of the ranks given). */
export function assertRank(op: string, name: string, t: tf.Tensor, ranks: readonly number[], what: string): void {
  if (!ranks.includes(t.rank)) {
    fail(op, name, `${name} must be ${what}, got rank ${t.rank} (shape ${fmtShape(t.shape)})`);
  }
}

/** Throws unless both tensors have the same shape (the error names `b`). */
export function assertSameShape(op: string, a: string, ta: tf.Tensor, b: string, tb: tf.Tensor): void {
  if (!tf.util.arraysEqual(ta.shape, tb.shape)) {
    fail(op, b, `${b} has shape ${fmtShape(tb.shape)}, which does not match ${a}'s ${fmtShape(ta.shape)}`);
  }
}

/** Throws unless `value` is a finite number (optionally an integer in a range). */
export function assertNumber(
  op: string,
  name: string,
  value: unknown,
  opts: { min?: number; minExclusive?: boolean; max?: number; maxExclusive?: boolean; integer?: boolean } = {},
): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    fail(op, name, `${name} must be a number, got ${typeof value === 'number' ? 'NaN' : typeof value}`);
  }
  if (!Number.isFinite(value)) fail(op, name, `${name} must be finite, got ${value}`);
  if (opts.integer && !Number.isInteger(value)) fail(op, name, `${name} must be an integer, got ${value}`);
  if (opts.min !== undefined && (opts.minExclusive ? value <= opts.min : value < opts.min)) {
    fail(op, name, `${name} must be ${opts.minExclusive ? '>' : '>='} ${opts.min}, got ${value}`);
  }
  if (opts.max !== undefined && (opts.maxExclusive ? value >= opts.max : value > opts.max)) {
    fail(op, name, `${name} must be ${opts.maxExclusive ? '<' : '<='} ${opts.max}, got ${value}`);
  }
}

/**
 * Backends whose tensors live in CPU memory, where reading a small int32 tensor back synchronously
 * (`dataSync`) costs about as much as the copy. On GPU backends a synchronous read stalls the pipeline
 * (and is not available at all on WebGPU in browsers), so value checks are skipped there by default.
 */
const CPU_MEMORY_BACKENDS = new Set(['cpu', 'wasm', 'native', 'tensorflow']);

/** Whether the active backend keeps tensor data in CPU memory (cheap synchronous reads). */
export function cheapSyncRead(): boolean {
  return CPU_MEMORY_BACKENDS.has(tf.getBackend());
}

/**
 * Checks that every value of the int32 tensor `ids` is in `[0, limit)` or equals `except`, reading its
 * values with `dataSync`. Throws a {@link KernelInputError} naming the first offending position.
 */
export function assertIndicesInRange(
  op: string,
  name: string,
  ids: tf.Tensor,
  limit: number,
  limitName: string,
  except?: number,
): void {
  const data = ids.dataSync() as Int32Array;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if ((x < 0 || x >= limit) && x !== except) {
      const at = fmtShape(tf.util.indexToLoc(i, ids.rank, tf.util.computeStrides(ids.shape)));
      const allowed = except === undefined ? '' : ` (or ${except} to ignore the row)`;
      fail(
        op,
        name,
        `${name}${ids.rank > 0 ? at : ''} is ${x}, outside [0, ${limit}) for ${limitName} ${limit}${allowed}; ${name} has shape ${fmtShape(ids.shape)}`,
      );
    }
  }
}
