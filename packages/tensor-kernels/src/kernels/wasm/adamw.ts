/** QmAdamW on wasm: one fused SIMD pass over param, grad, m, v (csrc/rowwise.c). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { AdamW, type AdamWAttrs } from '../names';
import { checkDtype, checkSameSize } from '../input-checks';
import { kernelCall, type BackendWasm } from './common';

const adamwKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const { param, grad, m, v } = inputs as { param: TensorInfo; grad: TensorInfo; m: TensorInfo; v: TensorInfo };
  const { lr, beta1, beta2, eps, weightDecay, step } = attrs as unknown as AdamWAttrs;
  const where = `${AdamW} (wasm kernel)`;
  for (const [name, t] of [['param', param], ['grad', grad], ['m', m], ['v', v]] as const) checkDtype(where, name, t, 'float32');
  const n = checkSameSize(where, 'param', param, 'grad', grad);
  checkSameSize(where, 'param', param, 'm', m);
  checkSameSize(where, 'param', param, 'v', v);
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2 = 1 - Math.pow(beta2, step);
  const shape = param.shape.slice();
  const { outputs } = kernelCall(
    backend as BackendWasm,
    [{ t: param }, { t: grad }, { t: m }, { t: v }],
    [{ shape }, { shape }, { shape }],
    [],
    (p) =>
      p.fn.qm_adamw(p.in[0]!, p.in[1]!, p.in[2]!, p.in[3]!, p.out[0]!, p.out[1]!, p.out[2]!, n, lr, beta1, beta2, eps, weightDecay, bc1, bc2),
  );
  return outputs;
};

/** wasm kernel config of {@link AdamW}. */
export const adamwConfigs: KernelConfig[] = [{ kernelName: AdamW, backendName: 'wasm', kernelFunc: adamwKernel }];
