/** QmSwiGLU / QmSwiGLUGrad on webgpu: elementwise WGSL programs (one invocation per element). */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { SwiGLU, SwiGLUGrad } from '../names';
import { checkSameSize } from '../input-checks';
import { asWebGPU, elementwiseProgram, input, runProgram, view } from './program';

/** WGSL `sigmoid(g)` that never evaluates exp of a large positive argument. */
export const SIGMOID_FN = `
      fn qmSigmoid(g : f32) -> f32 {
        if (g >= 0.0) {
          return 1.0 / (1.0 + exp(-g));
        }
        let e = exp(g);
        return e / (1.0 + e);
      }`;

const swigluFwd: KernelFunc = ({ inputs, backend }) => {
  const be = asWebGPU(SwiGLU, backend);
  const gate = input(SwiGLU, inputs, 'gate');
  const up = input(SwiGLU, inputs, 'up');
  const n = checkSameSize(`${SwiGLU} (webgpu kernel)`, 'gate', gate, 'up', up);
  if (n === 0) return be.makeTensorInfo(gate.shape.slice(), 'float32');
  const program = elementwiseProgram('swiglu', ['gate', 'up'], [n], '', `
          let g = gate[index];
          setOutputAtIndex(index, g * qmSigmoid(g) * up[index]);`, SIGMOID_FN);
  return runProgram(be, program, [view(gate, [n]), view(up, [n])], [], gate.shape.slice());
};

const swigluBwd: KernelFunc = ({ inputs, backend }) => {
  const be = asWebGPU(SwiGLUGrad, backend);
  const dy = input(SwiGLUGrad, inputs, 'dy');
  const gate = input(SwiGLUGrad, inputs, 'gate');
  const up = input(SwiGLUGrad, inputs, 'up');
  const n = checkSameSize(`${SwiGLUGrad} (webgpu kernel)`, 'gate', gate, 'up', up);
  checkSameSize(`${SwiGLUGrad} (webgpu kernel)`, 'gate', gate, 'dy', dy);
  if (n === 0) return [be.makeTensorInfo(gate.shape.slice(), 'float32'), be.makeTensorInfo(up.shape.slice(), 'float32')];
  const flat = [view(dy, [n]), view(gate, [n]), view(up, [n])];
  // Every bound input must be used: the pipeline layout is 'auto', which drops unused bindings.
  const dgateProgram = elementwiseProgram('swiglu_dgate', ['dy', 'gate', 'up'], [n], '', `
          let g = gate[index];
          let s = qmSigmoid(g);
          setOutputAtIndex(index, dy[index] * up[index] * s * (1.0 + g * (1.0 - s)));`, SIGMOID_FN);
  const dupProgram = elementwiseProgram('swiglu_dup', ['dy', 'gate'], [n], '', `
          let g = gate[index];
          setOutputAtIndex(index, dy[index] * g * qmSigmoid(g));`, SIGMOID_FN);
  const dgate = runProgram(be, dgateProgram, flat, [], gate.shape.slice());
  const dup = runProgram(be, dupProgram, flat.slice(0, 2), [], up.shape.slice());
  return [dgate, dup];
};

/** webgpu kernel configs of {@link SwiGLU} and {@link SwiGLUGrad}. */
export const swigluConfigs: KernelConfig[] = [
  { kernelName: SwiGLU, backendName: 'webgpu', kernelFunc: swigluFwd },
  { kernelName: SwiGLUGrad, backendName: 'webgpu', kernelFunc: swigluBwd },
];
