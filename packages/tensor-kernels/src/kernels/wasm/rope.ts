/** QmRope on wasm (csrc/rowwise.c). The gradient is this kernel with -sin. */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Rope } from '../names';
import { emit, sizeOf, stage, type BackendWasm } from './common';

const ropeKernel: KernelFunc = ({ inputs, backend }) => {
  const { x, cos, sin } = inputs as { x: TensorInfo; cos: TensorInfo; sin: TensorInfo };
  const be = backend as BackendWasm;
  const [B, H, T, Dh] = x.shape as [number, number, number, number];
  const Bc = cos.shape[0] ?? 1;
  const { k, off } = stage(be, [{ t: x }, { t: cos }, { t: sin }], [sizeOf(x.shape) * 4]);
  k.fn.qm_rope(off[0], off[1], off[2], off[3], B, H, T, Dh, Bc);
  return emit(be, k, off[3], x.shape.slice());
};

/** wasm kernel config of {@link Rope}. */
export const ropeConfigs: KernelConfig[] = [{ kernelName: Rope, backendName: 'wasm', kernelFunc: ropeKernel }];
