/**
 * Faster `BatchMatMul` and `_FusedMatMul` with transposed operands on tfjs' wasm backend, and a correct
 * `_FusedMatMul` bias for batched inputs.
 *
 * tfjs-backend-wasm hands `transposeA`/`transposeB` to its C++ (XNNPACK) kernel, whose transposed paths
 * are much slower than the plain one. The overrides transpose a flagged operand explicitly with the wasm
 * `Transpose` kernel, then delegate to the original kernel with both flags off.
 *
 * The native `_FusedMatMul` also applies its bias / PReLU weights correctly only for a rank-1 operand of
 * length N and a batch of 1 (with a batch > 1, rows after the first of each batch get the bias' last
 * element; other bias shapes are read out of bounds). Those calls run as matmul + `tf.add` + activation.
 *
 * @packageDocumentation
 */
import { KernelInputError } from '../../kernels/kernel-input-error';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { adoptTensorInfo, borrowTensor } from './tensor-info';

const BACKEND = 'wasm';
/** Marks kernel functions installed by this module (idempotent registration). */
const OVERRIDE_MARK = Symbol.for('@quarkmed/tensor-kernels/wasm-matmul-override');

type KernelFunc = tf.KernelConfig['kernelFunc'];
interface MarkedKernelFunc {
  [OVERRIDE_MARK]?: true;
}

/**
 * Transposes the last two axes of `x` with the wasm `Transpose` kernel (viewing it as
 * `[batch, rows, cols]`), returning a new TensorInfo of shape `[...outer, cols, rows]` that the caller
 * must dispose with `backend.disposeData`.
 */
function transposeLastTwo(x: tf.TensorInfo, backend: BackendWasm, transpose: KernelFunc): tf.TensorInfo {
  const rank = x.shape.length;
  if (rank < 2) {
    throw new KernelInputError('BatchMatMul (wasm)', 'a', `matMul on wasm: operand must have rank >= 2, got shape [${x.shape.join(', ')}]`);
  }
  const outer = x.shape.slice(0, -2);
  const rows = x.shape[rank - 2] as number;
  const cols = x.shape[rank - 1] as number;
  const batch = outer.reduce((p, d) => p * d, 1);
  const view: tf.TensorInfo = { dataId: x.dataId, shape: [batch, rows, cols], dtype: x.dtype };
  const out = transpose({ inputs: { x: view }, backend, attrs: { perm: [0, 2, 1] } }) as tf.TensorInfo;
  return { dataId: out.dataId, shape: [...outer, cols, rows], dtype: out.dtype };
}

/** Runs `original` with both transpose flags off, transposing flagged operands explicitly first. */
function runUntransposed(original: KernelFunc, transposeKernel: KernelFunc, args: KernelArgs): tf.TensorInfo {
  const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean } | undefined;
  if (!attrs?.transposeA && !attrs?.transposeB) return original(args) as tf.TensorInfo;
  const backend = args.backend as BackendWasm;
  const inputs = args.inputs as Record<string, tf.TensorInfo>;
  const { a, b } = inputs;
  if (a === undefined || b === undefined) return original(args) as tf.TensorInfo;
  const temps: tf.TensorInfo[] = [];
  try {
    const newA = attrs.transposeA ? transposeLastTwo(a, backend, transposeKernel) : a;
    if (newA !== a) temps.push(newA);
    const newB = attrs.transposeB ? transposeLastTwo(b, backend, transposeKernel) : b;
    if (newB !== b) temps.push(newB);
    return original({
      ...args,
      inputs: { ...inputs, a: newA, b: newB },
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

type KernelArgs = Parameters<KernelFunc>[0];

/** The attributes of `_FusedMatMul` this module reads. */
export interface FusedAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/** The fused activations of tfjs (`tf.fused.Activation`) with tf ops. */
export function applyActivation(x: tf.Tensor, attrs: FusedAttrs, preluWeights: tf.Tensor | undefined): tf.Tensor {
  switch (attrs.activation ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'elu':
      return tf.elu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'leakyrelu':
      return tf.leakyRelu(x, attrs.leakyreluAlpha ?? 0.2);
    case 'prelu':
      if (preluWeights === undefined) {
        throw new KernelInputError('_FusedMatMul (wasm)', 'preluActivationWeights', `fused matMul on wasm: activation 'prelu' needs preluActivationWeights (output shape [${x.shape.join(', ')}])`);
      }
      return tf.prelu(x, preluWeights);
    default:
      throw new KernelInputError('_FusedMatMul (wasm)', 'activation', `fused matMul on wasm: unknown activation '${String(attrs.activation)}'`);
  }
}

/** The `BatchMatMul` override. */
function batchMatMulKernel(original: KernelFunc, transposeKernel: KernelFunc): KernelFunc {
  return (args) => runUntransposed(original, transposeKernel, args);
}

/**
 * The `_FusedMatMul` override: explicit transposes, and for the calls the native kernel gets wrong (see
 * {@link nativeFusedIsCorrect}) a plain matmul followed by bias addition and activation with tf ops.
 */
function fusedMatMulKernel(original: KernelFunc, batchMatMul: KernelFunc, transposeKernel: KernelFunc): KernelFunc {
  return (args) => {
    const inputs = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = (args.attrs ?? {}) as FusedAttrs;
    const { a, b, bias, preluActivationWeights } = inputs;
    const n = b === undefined ? -1 : (b.shape[b.shape.length - (attrs.transposeB ? 2 : 1)] as number);
    const batch = Math.max(
      a === undefined ? 1 : a.shape.slice(0, -2).reduce((p, d) => p * d, 1),
      b === undefined ? 1 : b.shape.slice(0, -2).reduce((p, d) => p * d, 1),
    );
    const rank1OfN = (t: tf.TensorInfo | undefined): boolean => t === undefined || (t.shape.length === 1 && t.shape[0] === n);
    const native = (bias === undefined && preluActivationWeights === undefined) || (batch === 1 && rank1OfN(bias) && rank1OfN(preluActivationWeights));
    if (native || a === undefined || b === undefined) return runUntransposed(original, transposeKernel, args);

    const backend = args.backend as tf.KernelBackend;
    const owned: tf.Tensor[] = [];
    try {
      const product = runUntransposed(batchMatMul, transposeKernel, {
        inputs: { a, b },
        backend,
        attrs: { transposeA: attrs.transposeA ?? false, transposeB: attrs.transposeB ?? false },
      });
      const y = adoptTensorInfo(product, backend);
      owned.push(y);
      const biasT = bias === undefined ? undefined : borrowTensor(bias, backend, owned);
      const preluT = preluActivationWeights === undefined ? undefined : borrowTensor(preluActivationWeights, backend, owned);
      const out = tf.tidy(() => applyActivation(biasT === undefined ? y : tf.add(y, biasT), attrs, preluT));
      if (out === y) owned.splice(owned.indexOf(y), 1); // linear without bias: hand over the product itself
      return out;
    } finally {
      tf.dispose(owned);
    }
  };
}

/**
 * Re-registers the wasm `BatchMatMul` and `_FusedMatMul` kernels so that `transposeA`/`transposeB` are
 * handled by an explicit transpose followed by the original, untransposed kernel. Keeps each original
 * config's `setupFunc` and `disposeFunc`. Idempotent; does nothing for a kernel that is not registered
 * (tfjs-backend-wasm not imported).
 */
export function registerWasmMatMulOverrides(): void {
  const transpose = tf.getKernel(tf.Transpose, BACKEND);
  const batchMatMul = tf.getKernel(tf.BatchMatMul, BACKEND);
  if (transpose === undefined || batchMatMul === undefined) return;
  const originalBatchMatMul = (batchMatMul.kernelFunc as MarkedKernelFunc & { original?: KernelFunc }).original ?? batchMatMul.kernelFunc;
  const make: Record<string, (original: KernelFunc) => KernelFunc> = {
    [tf.BatchMatMul]: (original) => batchMatMulKernel(original, transpose.kernelFunc),
    [tf._FusedMatMul]: (original) => fusedMatMulKernel(original, originalBatchMatMul, transpose.kernelFunc),
  };
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const config = tf.getKernel(name, BACKEND);
    if (config === undefined || (config.kernelFunc as MarkedKernelFunc)[OVERRIDE_MARK]) continue;
    const kernelFunc = (make[name] as (original: KernelFunc) => KernelFunc)(config.kernelFunc);
    Object.assign(kernelFunc, { [OVERRIDE_MARK]: true, original: config.kernelFunc });
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({ ...config, kernelFunc });
  }
}
