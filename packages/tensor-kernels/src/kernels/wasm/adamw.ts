/** QmAdamW on wasm: one fused SIMD pass over param, grad, m, v (csrc/rowwise.c). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { AdamW, type AdamWAttrs } from '../names';
import { emit, sizeOf, stage, type BackendWasm } from './common';

const adamwKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const { param, grad, m, v } = inputs as { param: TensorInfo; grad: TensorInfo; m: TensorInfo; v: TensorInfo };
  const { lr, beta1, beta2, eps, weightDecay, step } = attrs as unknown as AdamWAttrs;
  const be = backend as BackendWasm;
  const n = sizeOf(param.shape);
  const { k, off } = stage(be, [{ t: param }, { t: grad }, { t: m }, { t: v }]);
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2 = 1 - Math.pow(beta2, step);
  k.fn.qm_adamw(off[0], off[1], off[2], off[3], n, lr, beta1, beta2, eps, weightDecay, bc1, bc2);
  const shape = param.shape.slice();
  return [emit(be, k, off[0], shape), emit(be, k, off[2], shape), emit(be, k, off[3], shape)];
};

/** wasm kernel config of {@link AdamW}. */
export const adamwConfigs: KernelConfig[] = [{ kernelName: AdamW, backendName: 'wasm', kernelFunc: adamwKernel }];
