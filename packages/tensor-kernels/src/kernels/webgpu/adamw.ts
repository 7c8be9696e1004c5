/**
 * QmAdamW on webgpu: three elementwise programs, `m'` from (m, grad), `v'` from (v, grad) and `param'`
 * from (param, m', v'), so that no program binds more than four storage buffers (the compatibility-mode
 * minimum).
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { AdamW } from '../names';
import { asWebGPU, elementwiseProgram, f32, input, numAttr, runProgram, sizeOf, view } from './program';
import { KernelInputError } from '../kernel-input-error';

const adamw: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = asWebGPU(AdamW, backend);
  const param = input(AdamW, inputs, 'param');
  const grad = input(AdamW, inputs, 'grad');
  const m = input(AdamW, inputs, 'm');
  const v = input(AdamW, inputs, 'v');
  const lr = numAttr(AdamW, attrs, 'lr');
  const beta1 = numAttr(AdamW, attrs, 'beta1');
  const beta2 = numAttr(AdamW, attrs, 'beta2');
  const eps = numAttr(AdamW, attrs, 'eps');
  const weightDecay = numAttr(AdamW, attrs, 'weightDecay');
  const step = numAttr(AdamW, attrs, 'step');
  const n = sizeOf(param.shape);
  for (const [name, t] of [['grad', grad], ['m', m], ['v', v]] as const) {
    if (sizeOf(t.shape) !== n) {
      throw new KernelInputError(AdamW, name, `${AdamW} (webgpu kernel): ${name} must have the shape of param [${param.shape.join(', ')}], got [${t.shape.join(', ')}]`);
    }
  }
  const shape = param.shape.slice();
  if (n === 0) return [0, 1, 2].map(() => be.makeTensorInfo(shape, 'float32'));
  const g = view(grad, [n]);
  const mNew = runProgram(
    be,
    elementwiseProgram('adamw_m', ['m', 'g'], [n], 'beta : f32,', `
          setOutputAtIndex(index, uniforms.beta * m[index] + (1.0 - uniforms.beta) * g[index]);`),
    [view(m, [n]), g],
    [f32(beta1)],
  );
  const vNew = runProgram(
    be,
    elementwiseProgram('adamw_v', ['v', 'g'], [n], 'beta : f32,', `
          let gi = g[index];
          setOutputAtIndex(index, uniforms.beta * v[index] + (1.0 - uniforms.beta) * gi * gi);`),
    [view(v, [n]), g],
    [f32(beta2)],
  );
  const pNew = runProgram(
    be,
    elementwiseProgram('adamw_p', ['p', 'mt', 'vt'], [n], 'lr : f32, decay : f32, bc1 : f32, bc2 : f32, eps : f32,', `
          let mhat = mt[index] / uniforms.bc1;
          let vhat = vt[index] / uniforms.bc2;
          setOutputAtIndex(index, p[index] * uniforms.decay - uniforms.lr * mhat / (sqrt(vhat) + uniforms.eps));`),
    [view(param, [n]), mNew, vNew],
    [f32(lr), f32(1 - lr * weightDecay), f32(1 - beta1 ** step), f32(1 - beta2 ** step), f32(eps)],
  );
  return [view(pNew, shape), view(mNew, shape), view(vNew, shape)];
};

/** webgpu kernel config of {@link AdamW}. */
export const adamwConfigs: KernelConfig[] = [{ kernelName: AdamW, backendName: 'webgpu', kernelFunc: adamw }];
