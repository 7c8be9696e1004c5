/** QmSwiGLU / QmSwiGLUGrad on wasm: elementwise SIMD with a vectorised exp (csrc/rowwise.c). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SwiGLU, SwiGLUGrad } from '../names';
import { emit, sizeOf, stage, type BackendWasm } from './common';

const swigluFwd: KernelFunc = ({ inputs, backend }) => {
  const { gate, up } = inputs as { gate: TensorInfo; up: TensorInfo };
  const be = backend as BackendWasm;
  const n = sizeOf(gate.shape);
  const { k, off } = stage(be, [{ t: gate }, { t: up }], [n * 4]);
  k.fn.qm_swiglu_fwd(off[0], off[1], off[2], n);
  return emit(be, k, off[2], gate.shape.slice());
};

const swigluBwd: KernelFunc = ({ inputs, backend }) => {
  const { dy, gate, up } = inputs as { dy: TensorInfo; gate: TensorInfo; up: TensorInfo };
  const be = backend as BackendWasm;
  const n = sizeOf(gate.shape);
  const { k, off } = stage(be, [{ t: dy }, { t: gate }, { t: up }], [n * 4, n * 4]);
  k.fn.qm_swiglu_bwd(off[0], off[1], off[2], off[3], off[4], n);
  return [emit(be, k, off[3], gate.shape.slice()), emit(be, k, off[4], up.shape.slice())];
};

/** wasm kernel configs of {@link SwiGLU} and {@link SwiGLUGrad}. */
export const swigluConfigs: KernelConfig[] = [
  { kernelName: SwiGLU, backendName: 'wasm', kernelFunc: swigluFwd },
  { kernelName: SwiGLUGrad, backendName: 'wasm', kernelFunc: swigluBwd },
];
