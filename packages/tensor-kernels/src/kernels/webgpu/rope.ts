/**
 * QmRope on webgpu: one invocation per output element (Hugging Face `rotate_half` layout). Its gradient
 * is the same kernel with `-sin` (see src/grads).
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { Rope } from '../names';
import { asWebGPU, elementwiseProgram, i32, input, runProgram, sizeOf, view } from './program';
import { ropeDims } from '../input-checks';

const rope: KernelFunc = ({ inputs, backend }) => {
  const be = asWebGPU(Rope, backend);
  const x = input(Rope, inputs, 'x');
  const cos = input(Rope, inputs, 'cos');
  const sin = input(Rope, inputs, 'sin');
  const { H, T, Dh, Bc: bc } = ropeDims(`${Rope} (webgpu kernel)`, x, cos, sin);
  const half = Dh / 2;
  const n = sizeOf(x.shape);
  if (n === 0) return be.makeTensorInfo(x.shape.slice(), 'float32');
  const program = elementwiseProgram('rope', ['x', 'cosT', 'sinT'], [n], 'H : i32, T : i32, Dh : i32, perBatch : i32,', `
          let Dh = uniforms.Dh;
          let hd = Dh / 2;
          let d = index % Dh;
          let r = index / Dh;            // (b, h, t)
          let t = r % uniforms.T;
          let b = r / (uniforms.H * uniforms.T);
          let j = d % hd;
          let cb = select(0, b, uniforms.perBatch != 0);
          let ci = (cb * uniforms.T + t) * hd + j;
          let c = cosT[ci];
          let s = sinT[ci];
          if (d < hd) {
            setOutputAtIndex(index, x[index] * c - x[index + hd] * s);
          } else {
            setOutputAtIndex(index, x[index] * c + x[index - hd] * s);
          }`);
  const m = bc * T * half;
  return runProgram(
    be,
    program,
    [view(x, [n]), view(cos, [m]), view(sin, [m])],
    [i32(H), i32(T), i32(Dh), i32(bc === 1 ? 0 : 1)],
    x.shape.slice(),
  );
};

/** webgpu kernel config of {@link Rope}. */
export const ropeConfigs: KernelConfig[] = [{ kernelName: Rope, backendName: 'webgpu', kernelFunc: rope }];
