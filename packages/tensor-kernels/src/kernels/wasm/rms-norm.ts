/** QmRmsNorm / QmRmsNormGrad on wasm: one SIMD pass per row (csrc/rowwise.c). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { RmsNorm, RmsNormGrad, type RmsNormAttrs } from '../names';
import { emit, sizeOf, stage, type BackendWasm } from './common';

const rmsNormFwd: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, weight } = inputs as { x: TensorInfo; weight: TensorInfo };
  const { eps } = attrs as unknown as RmsNormAttrs;
  const be = backend as BackendWasm;
  const D = x.shape[x.shape.length - 1] ?? 1;
  const rows = D === 0 ? 0 : sizeOf(x.shape) / D;
  const { k, off } = stage(be, [{ t: x }, { t: weight }], [sizeOf(x.shape) * 4]);
  k.fn.qm_rmsnorm_fwd(off[0], off[1], off[2], rows, D, eps);
  return emit(be, k, off[2], x.shape.slice());
};

const rmsNormBwd: KernelFunc = ({ inputs, attrs, backend }) => {
  const { dy, x, weight } = inputs as { dy: TensorInfo; x: TensorInfo; weight: TensorInfo };
  const { eps } = attrs as unknown as RmsNormAttrs;
  const be = backend as BackendWasm;
  const D = x.shape[x.shape.length - 1] ?? 1;
  const rows = D === 0 ? 0 : sizeOf(x.shape) / D;
  const { k, off } = stage(be, [{ t: dy }, { t: x }, { t: weight }], [sizeOf(x.shape) * 4, D * 4]);
  k.fn.qm_rmsnorm_bwd(off[0], off[1], off[2], off[3], off[4], rows, D, eps);
  return [emit(be, k, off[3], x.shape.slice()), emit(be, k, off[4], weight.shape.slice())];
};

/** wasm kernel configs of {@link RmsNorm} and {@link RmsNormGrad}. */
export const rmsNormConfigs: KernelConfig[] = [
  { kernelName: RmsNorm, backendName: 'wasm', kernelFunc: rmsNormFwd },
  { kernelName: RmsNormGrad, backendName: 'wasm', kernelFunc: rmsNormBwd },
];
