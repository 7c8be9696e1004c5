/**
 * `Einsum` for tfjs' wasm backend, which lacks it.
 *
 * Supports what tfjs' `tf.einsum` op accepts (one or two operands, an explicit `->`, no ellipsis, no
 * repeated label within an operand). Lowering:
 * - one operand: sum the labels that are not in the output, then transpose to the output order;
 * - two operands: sum the labels that only one operand has and the output lacks, then
 *   - no kept (non-batch) label on either side: elementwise multiply and sum the contracted labels;
 *   - otherwise: transpose/reshape to `[batch, M, K] × [batch, K, N]`, one `BatchMatMul` (the fast
 *     untransposed kernel), reshape and transpose to the output order;
 * - non-float32 operands: tfjs' cpu algorithm (broadcast multiply and sum), since wasm's matmul is
 *   float32 only.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { borrowTensor } from './tensor-info';

const { decodeEinsumEquation, checkEinsumDimSizes, getEinsumComputePath, getEinsumPermutation } = tf.backend_util;

const isIdentity = (perm: readonly number[]): boolean => perm.every((p, i) => p === i);
const prod = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/** Transposes unless `perm` is the identity. */
function permute(x: tf.Tensor, perm: number[]): tf.Tensor {
  return isIdentity(perm) ? x : tf.transpose(x, perm);
}

/** Sums the axes of `x` (labelled `labels`) whose label satisfies `drop`; returns the tensor and its labels. */
function sumOut(x: tf.Tensor, labels: number[], drop: (label: number) => boolean): [tf.Tensor, number[]] {
  const axes = labels.flatMap((l, i) => (drop(l) ? [i] : []));
  if (axes.length === 0) return [x, labels];
  return [tf.sum(x, axes), labels.filter((l) => !drop(l))];
}

/** tfjs' cpu algorithm with tf ops: broadcast every operand to all labels, multiply, sum step by step. */
function einsumBroadcast(tensors: tf.Tensor[], allDimsCount: number, idDims: number[][], summedDims: number[]): tf.Tensor {
  const { path, steps } = getEinsumComputePath(summedDims, idDims);
  let out: tf.Tensor | null = null;
  let remaining = allDimsCount;
  for (let i = 0; i < steps.length; ++i) {
    for (const term of steps[i] as number[]) {
      const { permutationIndices, expandDims } = getEinsumPermutation(remaining, idDims[term] as number[]);
      let x = permute(tensors[term] as tf.Tensor, permutationIndices);
      const target = x.shape.slice();
      for (const d of expandDims) target.splice(d, 0, 1);
      if (!tf.util.arraysEqual(x.shape, target)) x = tf.reshape(x, target);
      out = out === null ? x : tf.mul(x, out);
    }
    if (i < steps.length - 1) {
      if ((path[i] as number) >= 0) out = tf.sum(out as tf.Tensor, (path[i] as number) - (allDimsCount - remaining));
      remaining--;
    }
  }
  return out as tf.Tensor;
}

/**
 * Computes `tf.einsum(equation, ...tensors)` with tf ops on the active backend (used as the wasm kernel;
 * exported for tests).
 *
 * @throws Error for equations tfjs' einsum does not support (messages from tfjs' equation decoder).
 */
export function einsumComposite(equation: string, tensors: tf.Tensor[]): tf.Tensor {
  const { allDims, summedDims, idDims } = decodeEinsumEquation(equation, tensors.length);
  checkEinsumDimSizes(allDims.length, idDims, tensors);
  const numOut = allDims.length - summedDims.length;
  const sizes = new Array<number>(allDims.length).fill(1);
  idDims.forEach((ids, t) => ids.forEach((l, j) => (sizes[l] = (tensors[t] as tf.Tensor).shape[j] as number)));

  return tf.tidy(() => {
    const out = einsumInScope(tensors, allDims.length, idDims, summedDims, numOut, sizes);
    // Never hand an input back as the output (the engine would then share and dispose it).
    return tensors.includes(out) ? tf.clone(out) : out;
  });
}

/** The lowering of {@link einsumComposite}, inside its tidy scope. */
function einsumInScope(
  tensors: tf.Tensor[],
  allDimsCount: number,
  idDims: number[][],
  summedDims: number[],
  numOut: number,
  sizes: number[],
): tf.Tensor {
  const isOut = (l: number): boolean => l < numOut;
  if (tensors.some((t) => t.dtype !== 'float32')) {
    return einsumBroadcast(tensors, allDimsCount, idDims, summedDims);
  }
  if (tensors.length === 1) {
    const [x, labels] = sumOut(tensors[0] as tf.Tensor, idDims[0] as number[], (l) => !isOut(l));
    const perm = labels.map((_, i) => i).sort((i, j) => (labels[i] as number) - (labels[j] as number));
    return permute(x, perm);
  }
  const la0 = idDims[0] as number[];
  const lb0 = idDims[1] as number[];
  const [a, la] = sumOut(tensors[0] as tf.Tensor, la0, (l) => !isOut(l) && !lb0.includes(l));
  const [b, lb] = sumOut(tensors[1] as tf.Tensor, lb0, (l) => !isOut(l) && !la0.includes(l));
  const batch = la.filter((l) => lb.includes(l) && isOut(l));
  const contract = la.filter((l) => lb.includes(l) && !isOut(l));
  const aKeep = la.filter((l) => !lb.includes(l));
  const bKeep = lb.filter((l) => !la.includes(l));
  const axesOf = (labels: number[], order: number[]): number[] => order.map((l) => labels.indexOf(l));

  let result: tf.Tensor;
  let resultLabels: number[];
  if (aKeep.length === 0 && bKeep.length === 0) {
    // Pure batch/contract (e.g. 'ij,ij->i'): elementwise product, then sum the contracted labels.
    const order = [...batch, ...contract];
    const prodAB = tf.mul(permute(a, axesOf(la, order)), permute(b, axesOf(lb, order)));
    result = contract.length > 0 ? tf.sum(prodAB, contract.map((_, i) => batch.length + i)) : prodAB;
    resultLabels = batch;
  } else {
    const dimsOf = (labels: number[]): number[] => labels.map((l) => sizes[l] as number);
    const batchSize = prod(dimsOf(batch));
    const m = prod(dimsOf(aKeep));
    const k = prod(dimsOf(contract));
    const n = prod(dimsOf(bKeep));
    const a3 = tf.reshape(permute(a, axesOf(la, [...batch, ...aKeep, ...contract])), [batchSize, m, k]);
    const b3 = tf.reshape(permute(b, axesOf(lb, [...batch, ...contract, ...bKeep])), [batchSize, k, n]);
    resultLabels = [...batch, ...aKeep, ...bKeep];
    result = tf.reshape(tf.matMul(a3, b3), dimsOf(resultLabels));
  }
  const perm = resultLabels.map((_, i) => i).sort((i, j) => (resultLabels[i] as number) - (resultLabels[j] as number));
  return permute(result, perm);
}

/** The wasm `Einsum` kernel function. */
export const einsumWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { equation } = attrs as unknown as { equation: string };
  const owned: tf.Tensor[] = [];
  const tensors = Object.keys(inputs)
    .sort((x, y) => Number(x) - Number(y))
    .map((key) =>
      borrowTensor((inputs as Record<string, tf.TensorInfo>)[key] as tf.TensorInfo, backend as tf.KernelBackend, owned),
    );
  try {
    return einsumComposite(equation, tensors);
  } finally {
    tf.dispose(owned);
  }
};

/** Registers {@link einsumWasm} as the wasm `Einsum` kernel unless one exists. */
export function registerWasmEinsum(): void {
  if (tf.getKernel(tf.Einsum, 'wasm') !== undefined) return;
  tf.registerKernel({ kernelName: tf.Einsum, backendName: 'wasm', kernelFunc: einsumWasm });
}
