/**
 * `BatchMatMul` and `_FusedMatMul` of the `native` backend: one BLAS sgemm per output matrix, in place
 * on tfjs' heap, every transpose combination through the BLAS' own transposed paths (no copies), batch
 * dimensions broadcast as tfjs does. A batched product whose right operand is one matrix
 * (`[..., M, K] × [K, N]`, no transposed left operand) runs as a single `[batch·M, K] × [K, N]` GEMM.
 * Non-float32 operands go to the wasm kernel.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelInputError } from '../../kernels/kernel-input-error';
import { adoptTensorInfo, borrowTensor } from '../wasm/tensor-info';
import { applyActivation, type FusedAttrs } from '../wasm/batch-mat-mul';
import type { NativeHeap } from './native-heap';

type KernelFunc = tf.KernelConfig['kernelFunc'];

const WHERE = 'BatchMatMul (native)';

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Output batch index → operand batch index, for an operand whose outer shape broadcasts to `out`. */
function batchIndex(outer: readonly number[], out: readonly number[]): Int32Array {
  const total = product(out);
  const idx = new Int32Array(total);
  const rank = out.length;
  const padded = [...new Array<number>(rank - outer.length).fill(1), ...outer];
  if (padded.every((d, i) => d === out[i])) {
    for (let i = 0; i < total; i++) idx[i] = i;
    return idx;
  }
  if (padded.every((d) => d === 1)) return idx; // all zeros
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = padded[d] === 1 ? 0 : s;
    s *= padded[d] as number;
  }
  for (let i = 0; i < total; i++) {
    let rem = i;
    let j = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const size = out[d] as number;
      const coord = rem % size;
      rem = (rem - coord) / size;
      j += coord * (strides[d] as number);
    }
    idx[i] = j;
  }
  return idx;
}

/** The product of `a` and `b` (float32) as a new TensorInfo made by the wasm backend. */
export function nativeMatMul(heap: NativeHeap, backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, transA: boolean, transB: boolean): tf.TensorInfo {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) {
    throw new KernelInputError(WHERE, ra < 2 ? 'a' : 'b', `${WHERE}: operands must have rank >= 2, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  const M = a.shape[transA ? ra - 1 : ra - 2] as number;
  const K = a.shape[transA ? ra - 2 : ra - 1] as number;
  const Kb = b.shape[transB ? rb - 1 : rb - 2] as number;
  const N = b.shape[transB ? rb - 2 : rb - 1] as number;
  if (K !== Kb) {
    throw new KernelInputError(
      WHERE,
      'b',
      `${WHERE}: inner dimensions differ: a [${a.shape.join(', ')}]${transA ? 'ᵀ' : ''} has ${K}, b [${b.shape.join(', ')}]${transB ? 'ᵀ' : ''} has ${Kb}`,
    );
  }
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    throw new KernelInputError(WHERE, 'b', `${WHERE}: batch dimensions [${outerA.join(', ')}] and [${outerB.join(', ')}] do not broadcast`);
  }
  const out = backend.makeOutput([...outer, M, N], 'float32');
  const batch = product(outer);
  if (batch === 0 || M === 0 || N === 0) return out;
  const offA = backend.dataIdMap.get(a.dataId)!.memoryOffset;
  const offB = backend.dataIdMap.get(b.dataId)!.memoryOffset;
  const offC = backend.dataIdMap.get(out.dataId)!.memoryOffset;
  heap.sync();
  const batchA = product(outerA);
  if (product(outerB) === 1 && !transA && batchA === batch) {
    // [batch·M, K] × op(B): one GEMM over all rows of a
    const zero = new Int32Array(1);
    heap.addon.gemm(offA, offB, offC, batch * M, N, K, 0, transB ? 1 : 0, zero, zero, 0, 0);
    return out;
  }
  heap.addon.gemm(offA, offB, offC, M, N, K, transA ? 1 : 0, transB ? 1 : 0, batchIndex(outerA, outer), batchIndex(outerB, outer), M * K, K * N);
  return out;
}

interface MatMulAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
}

/** The native `BatchMatMul` kernel; `fallback` (the wasm kernel) takes non-float32 operands. */
export function nativeBatchMatMulKernel(heap: NativeHeap, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const attrs = (args.attrs ?? {}) as MatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    return nativeMatMul(heap, args.backend as BackendWasm, a, b, attrs.transposeA ?? false, attrs.transposeB ?? false);
  };
}

/**
 * The native `_FusedMatMul` kernel: the native product, then bias addition and the activation with tf
 * ops (which run on the native backend). `fallback` takes non-float32 operands.
 */
export function nativeFusedMatMulKernel(heap: NativeHeap, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const inputs = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { a, b, bias, preluActivationWeights } = inputs;
    const attrs = (args.attrs ?? {}) as FusedAttrs;
    if (a === undefined || b === undefined || a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const backend = args.backend as BackendWasm;
    const y = nativeMatMul(heap, backend, a, b, attrs.transposeA ?? false, attrs.transposeB ?? false);
    if (bias === undefined && (attrs.activation ?? 'linear') === 'linear') return y;
    const owned: tf.Tensor[] = [];
    try {
      const yT = adoptTensorInfo(y, backend);
      owned.push(yT);
      const biasT = bias === undefined ? undefined : borrowTensor(bias, backend, owned);
      const preluT = preluActivationWeights === undefined ? undefined : borrowTensor(preluActivationWeights, backend, owned);
      return tf.tidy(() => applyActivation(biasT === undefined ? yT : tf.add(yT, biasT), attrs, preluT));
    } finally {
      tf.dispose(owned);
    }
  };
}
