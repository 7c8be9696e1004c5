/**
 * QmRmsNorm / QmRmsNormGrad on webgpu. One workgroup per row reduces `Σ x²` (and, backward, `Σ g·x`) in
 * workgroup memory; `dweight` is a column sum (one invocation per column over all rows) of
 * `dy · x · r` with the per-row `r` from a small row program.
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { RmsNorm, RmsNormGrad } from '../names';
import {
  asWebGPU,
  elementwiseProgram,
  f32,
  i32,
  input,
  numAttr,
  reduceSnippet,
  rowProgram,
  rowWorkgroupSize,
  runProgram,
  view,
  type WebGPUBackendLike,
} from './program';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { rmsNormRows } from '../input-checks';

function rowsAndDim(kernelName: string, x: TensorInfo, weight: TensorInfo): [number, number] {
  return rmsNormRows(`${kernelName} (webgpu kernel)`, x, weight);
}

/** WGSL: `let ss = Σ_row x²` (all threads). */
const sumSquares = (acc: string) => `
        let D = uniforms.D;
        let base = row * D;
        var ${acc} = 0.0;
        if (valid) {
          for (var c = tid; c < D; c += WG) {
            let xv = x[base + c];
            ${acc} += xv * xv;
          }
        }`;

const rmsNorm: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = asWebGPU(RmsNorm, backend);
  const x = input(RmsNorm, inputs, 'x');
  const weight = input(RmsNorm, inputs, 'weight');
  const eps = numAttr(RmsNorm, attrs, 'eps');
  const [rows, D] = rowsAndDim(RmsNorm, x, weight);
  if (rows * D === 0) return be.makeTensorInfo(x.shape.slice(), 'float32');
  const wg = rowWorkgroupSize(D);
  const n = rows * D;
  const program = rowProgram('rmsnorm', ['x', 'w'], [n], rows, wg, 'D : i32, eps : f32,', 'var<workgroup> buf : array<f32, WG>;', `
        ${sumSquares('acc')}
        ${reduceSnippet('buf', 'acc', 'sum', 'ss')}
        let r = 1.0 / sqrt(ss / f32(D) + uniforms.eps);
        if (valid) {
          for (var c = tid; c < D; c += WG) {
            setOutputAtIndex(base + c, x[base + c] * r * w[c]);
          }
        }`);
  return runProgram(be, program, [view(x, [n]), weight], [i32(rows), i32(D), f32(eps)], x.shape.slice());
};

/** `r [rows]` = 1/sqrt(mean(x²) + eps). */
function invRms(be: WebGPUBackendLike, x: TensorInfo, rows: number, D: number, eps: number): TensorInfo {
  const program = rowProgram('rmsnorm_r', ['x'], [rows], rows, rowWorkgroupSize(D), 'D : i32, eps : f32,', 'var<workgroup> buf : array<f32, WG>;', `
        ${sumSquares('acc')}
        ${reduceSnippet('buf', 'acc', 'sum', 'ss')}
        if (valid && tid == 0) {
          setOutputAtIndex(row, 1.0 / sqrt(ss / f32(D) + uniforms.eps));
        }`);
  return runProgram(be, program, [view(x, [rows * D])], [i32(rows), i32(D), f32(eps)]);
}

const rmsNormGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = asWebGPU(RmsNormGrad, backend);
  const dy = input(RmsNormGrad, inputs, 'dy');
  const x = input(RmsNormGrad, inputs, 'x');
  const weight = input(RmsNormGrad, inputs, 'weight');
  const eps = numAttr(RmsNormGrad, attrs, 'eps');
  const [rows, D] = rowsAndDim(RmsNormGrad, x, weight);
  const n = rows * D;
  if (n === 0) return [be.makeTensorInfo(x.shape.slice(), 'float32'), be.makeTensorInfo([D], 'float32', new Float32Array(D))];
  const dxProgram = rowProgram(
    'rmsnorm_dx',
    ['dy', 'x', 'w'],
    [n],
    rows,
    rowWorkgroupSize(D),
    'D : i32, eps : f32,',
    'var<workgroup> buf : array<f32, WG>;',
    `
        ${sumSquares('acc')}
        var accGx = 0.0;
        if (valid) {
          for (var c = tid; c < D; c += WG) {
            accGx += dy[base + c] * w[c] * x[base + c];
          }
        }
        ${reduceSnippet('buf', 'acc', 'sum', 'ss')}
        ${reduceSnippet('buf', 'accGx', 'sum', 'gx')}
        let r = 1.0 / sqrt(ss / f32(D) + uniforms.eps);
        let k = r * r * r * gx / f32(D);
        if (valid) {
          for (var c = tid; c < D; c += WG) {
            setOutputAtIndex(base + c, r * dy[base + c] * w[c] - x[base + c] * k);
          }
        }`,
  );
  const dx = runProgram(be, dxProgram, [view(dy, [n]), view(x, [n]), weight], [i32(rows), i32(D), f32(eps)], x.shape.slice());
  const r = invRms(be, x, rows, D, eps);
  const dwProgram = elementwiseProgram('rmsnorm_dw', ['dy', 'x', 'r'], [D], 'rows : i32, D : i32,', `
          var acc = 0.0;
          for (var i = 0; i < uniforms.rows; i++) {
            let at = i * uniforms.D + index;
            acc += dy[at] * x[at] * r[i];
          }
          setOutputAtIndex(index, acc);`);
  const dweight = runProgram(be, dwProgram, [view(dy, [n]), view(x, [n]), r], [i32(rows), i32(D)]);
  be.disposeData(r.dataId);
  return [dx, dweight];
};

/** webgpu kernel configs of {@link RmsNorm} and {@link RmsNormGrad}. */
export const rmsNormConfigs: KernelConfig[] = [
  { kernelName: RmsNorm, backendName: 'webgpu', kernelFunc: rmsNorm },
  { kernelName: RmsNormGrad, backendName: 'webgpu', kernelFunc: rmsNormGrad },
];
