/**
 * Faster `BatchMatMul` and `_FusedMatMul` with transposed operands on tfjs' wasm backend.
 *
 * tfjs-backend-wasm hands `transposeA`/`transposeB` to its C++ kernel, whose transposed paths are many
 * times slower than the plain one (XNNPACK packs the right-hand side for the untransposed layout only).
 * The overrides transpose a flagged operand explicitly with the wasm `Transpose` kernel, then delegate
 * to the original kernel with both flags off.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

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
    throw new RangeError(`matMul on wasm: operand must have rank >= 2, got shape [${x.shape.join(', ')}]`);
  }
  const outer = x.shape.slice(0, -2);
  const rows = x.shape[rank - 2] as number;
  const cols = x.shape[rank - 1] as number;
  const batch = outer.reduce((p, d) => p * d, 1);
  const view: tf.TensorInfo = { dataId: x.dataId, shape: [batch, rows, cols], dtype: x.dtype };
  const out = transpose({ inputs: { x: view }, backend, attrs: { perm: [0, 2, 1] } }) as tf.TensorInfo;
  return { dataId: out.dataId, shape: [...outer, cols, rows], dtype: out.dtype };
}

/** Wraps a matmul kernel function so that transposed operands are transposed explicitly first. */
function withExplicitTranspose(original: KernelFunc, transposeKernel: KernelFunc): KernelFunc {
  const kernelFunc: KernelFunc = (args) => {
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean } | undefined;
    if (!attrs?.transposeA && !attrs?.transposeB) return original(args);
    const backend = args.backend as BackendWasm;
    const inputs = args.inputs as Record<string, tf.TensorInfo>;
    const { a, b } = inputs;
    if (a === undefined || b === undefined) return original(args);
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
      });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
  (kernelFunc as MarkedKernelFunc)[OVERRIDE_MARK] = true;
  return kernelFunc;
}

/**
 * Re-registers the wasm `BatchMatMul` and `_FusedMatMul` kernels so that `transposeA`/`transposeB` are
 * handled by an explicit transpose followed by the original, untransposed kernel. Keeps each original
 * config's `setupFunc` and `disposeFunc`. Idempotent; does nothing for a kernel that is not registered
 * (tfjs-backend-wasm not imported).
 */
export function registerWasmMatMulOverrides(): void {
  const transpose = tf.getKernel(tf.Transpose, BACKEND);
  if (transpose === undefined) return;
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const original = tf.getKernel(name, BACKEND);
    if (original === undefined || (original.kernelFunc as MarkedKernelFunc)[OVERRIDE_MARK]) continue;
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({ ...original, kernelFunc: withExplicitTranspose(original.kernelFunc, transpose.kernelFunc) });
  }
}
