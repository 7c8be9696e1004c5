/**
 * QmCrossEntropy / QmCrossEntropyGrad on webgpu, without a one-hot: a row program (one workgroup per
 * row) computes `lse_n - logits[n, label_n]` (0 for ignored rows); one workgroup sums it and counts the
 * kept rows. The backward computes `dy / count` in one workgroup, then writes
 * `coef · (softmax - onehot)` row by row.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { CrossEntropy, CrossEntropyGrad } from '../names';
import {
  asWebGPU,
  i32,
  input,
  numAttr,
  reduceSnippet,
  rowLseSnippet,
  rowProgram,
  rowWorkgroupSize,
  runProgram,
  SHARED_BUF,
  view,
} from './program';
import { KernelInputError } from '../kernel-input-error';
import { logitsRows } from '../input-checks';

/** Checks logits [N, V] float32 and int32 labels [N]; returns [N, V]. */
export function logitsShape(kernelName: string, logits: TensorInfo, labels: TensorInfo, labelName: string): [number, number] {
  return logitsRows(`${kernelName} (webgpu kernel)`, logits, labels, labelName);
}

/** WGSL of one workgroup (row 0) that counts the rows whose label is not `uniforms.ignoreIndex`. */
const countKept = `
        var kept = 0.0;
        for (var i = tid; i < uniforms.N; i += WG) {
          if (labels[i] != uniforms.ignoreIndex) {
            kept += 1.0;
          }
        }`;

const crossEntropy: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = asWebGPU(CrossEntropy, backend);
  const logits = input(CrossEntropy, inputs, 'logits');
  const labels = input(CrossEntropy, inputs, 'labels');
  const ignoreIndex = numAttr(CrossEntropy, attrs, 'ignoreIndex');
  const [N, V] = logitsShape(CrossEntropy, logits, labels, 'labels');
  if (N === 0) return be.makeTensorInfo([], 'float32', new Float32Array([0]));
  const rowLoss = runProgram(
    be,
    rowProgram('ce_rows', ['logits', 'labels'], [N], N, rowWorkgroupSize(V), 'V : i32, ignoreIndex : i32,', SHARED_BUF, `
        var label = uniforms.ignoreIndex;
        if (valid) {
          label = labels[row];
        }
        let keep = valid && label != uniforms.ignoreIndex;
        let inRange = label >= 0 && label < uniforms.V;
        ${rowLseSnippet('logits', 'keep && inRange')}
        if (valid && tid == 0) {
          // a kept label outside [0, V) is never read: NaN loss for its row
          var loss = uniforms.NAN;
          if (inRange) {
            loss = lse - logits[base + label];
          }
          setOutputAtIndex(row, select(0.0, loss, keep));
        }`),
    [logits, labels],
    [i32(N), i32(V), i32(ignoreIndex)],
  );
  const loss = runProgram(
    be,
    rowProgram('ce_mean', ['rowLoss', 'labels'], [], 1, 256, 'N : i32, ignoreIndex : i32,', SHARED_BUF, `
        ${countKept}
        var total = 0.0;
        var nans = 0.0;
        for (var i = tid; i < uniforms.N; i += WG) {
          let li = rowLoss[i];
          if (qmIsNan(li)) {
            nans += 1.0;
          } else {
            total += li;
          }
        }
        ${reduceSnippet('buf', 'kept', 'sum', 'keptCount')}
        ${reduceSnippet('buf', 'total', 'sum', 'lossSum')}
        ${reduceSnippet('buf', 'nans', 'sum', 'nanCount')}
        if (tid == 0) {
          let mean = select(0.0, lossSum / keptCount, keptCount > 0.0);
          setOutputAtIndex(0, select(mean, uniforms.NAN, nanCount > 0.0));
        }`),
    [rowLoss, labels],
    [i32(1), i32(N), i32(ignoreIndex)],
  );
  be.disposeData(rowLoss.dataId);
  return loss;
};

const crossEntropyGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = asWebGPU(CrossEntropyGrad, backend);
  const dy = input(CrossEntropyGrad, inputs, 'dy');
  const logits = input(CrossEntropyGrad, inputs, 'logits');
  const labels = input(CrossEntropyGrad, inputs, 'labels');
  const ignoreIndex = numAttr(CrossEntropyGrad, attrs, 'ignoreIndex');
  const [N, V] = logitsShape(CrossEntropyGrad, logits, labels, 'labels');
  if (dy.shape.length !== 0 && !(dy.shape.length === 1 && dy.shape[0] === 1)) {
    throw new KernelInputError(CrossEntropyGrad, 'dy', `${CrossEntropyGrad} (webgpu kernel): dy must be a scalar, got [${dy.shape.join(', ')}]`);
  }
  if (N === 0) return be.makeTensorInfo([N, V], 'float32');
  const coef = runProgram(
    be,
    rowProgram('ce_coef', ['labels', 'dy'], [1], 1, 256, 'N : i32, ignoreIndex : i32,', SHARED_BUF, `
        ${countKept}
        ${reduceSnippet('buf', 'kept', 'sum', 'keptCount')}
        if (tid == 0) {
          setOutputAtIndex(0, select(0.0, dy[0] / keptCount, keptCount > 0.0));
        }`),
    [labels, view(dy, [1])],
    [i32(1), i32(N), i32(ignoreIndex)],
  );
  const dlogits = runProgram(
    be,
    rowProgram('ce_grad', ['logits', 'labels', 'coef'], [N * V], N, rowWorkgroupSize(V), 'V : i32, ignoreIndex : i32,', SHARED_BUF, `
        var label = uniforms.ignoreIndex;
        if (valid) {
          label = labels[row];
        }
        let keep = valid && label != uniforms.ignoreIndex;
        let inRange = label >= 0 && label < uniforms.V;
        ${rowLseSnippet('logits', 'keep && inRange')}
        if (valid) {
          let k = coef[0];
          let nanRow = keep && (rowBad || !inRange);
          for (var c = tid; c < V; c += WG) {
            var g = 0.0;
            if (nanRow) {
              g = uniforms.NAN;
            } else if (keep) {
              g = k * (exp(logits[base + c] - lse) - select(0.0, 1.0, c == label));
            }
            setOutputAtIndex(base + c, g);
          }
        }`),
    [logits, labels, coef],
    [i32(N), i32(V), i32(ignoreIndex)],
    [N, V],
  );
  be.disposeData(coef.dataId);
  return dlogits;
};

/** webgpu kernel configs of {@link CrossEntropy} and {@link CrossEntropyGrad}. */
export const crossEntropyConfigs: KernelConfig[] = [
  { kernelName: CrossEntropy, backendName: 'webgpu', kernelFunc: crossEntropy },
  { kernelName: CrossEntropyGrad, backendName: 'webgpu', kernelFunc: crossEntropyGrad },
];
