/** QmSwiGLU / QmSwiGLUGrad on wasm: elementwise SIMD with a vectorised exp (csrc/rowwise.c). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SwiGLU, SwiGLUGrad } from '../names';
import { checkDtype, checkSameSize } from '../input-checks';
import { kernelCall, type BackendWasm } from './common';

const swigluFwd: KernelFunc = ({ inputs, backend }) => {
  const { gate, up } = inputs as { gate: TensorInfo; up: TensorInfo };
  const where = `${SwiGLU} (wasm kernel)`;
  checkDtype(where, 'gate', gate, 'float32');
  checkDtype(where, 'up', up, 'float32');
  const n = checkSameSize(where, 'gate', gate, 'up', up);
  const { outputs } = kernelCall(backend as BackendWasm, [{ t: gate }, { t: up }], [{ shape: gate.shape.slice() }], [], (p) =>
    p.fn.qm_swiglu_fwd(p.in[0]!, p.in[1]!, p.out[0]!, n),
  );
  return outputs[0]!;
};

const swigluBwd: KernelFunc = ({ inputs, backend }) => {
  const { dy, gate, up } = inputs as { dy: TensorInfo; gate: TensorInfo; up: TensorInfo };
  const where = `${SwiGLUGrad} (wasm kernel)`;
  for (const [name, t] of [['dy', dy], ['gate', gate], ['up', up]] as const) checkDtype(where, name, t, 'float32');
  const n = checkSameSize(where, 'gate', gate, 'up', up);
  checkSameSize(where, 'gate', gate, 'dy', dy);
  const { outputs } = kernelCall(
    backend as BackendWasm,
    [{ t: dy }, { t: gate }, { t: up }],
    [{ shape: gate.shape.slice() }, { shape: up.shape.slice() }],
    [],
    (p) => p.fn.qm_swiglu_bwd(p.in[0]!, p.in[1]!, p.in[2]!, p.out[0]!, p.out[1]!, n),
  );
  return outputs;
};

/** wasm kernel configs of {@link SwiGLU} and {@link SwiGLUGrad}. */
export const swigluConfigs: KernelConfig[] = [
  { kernelName: SwiGLU, backendName: 'wasm', kernelFunc: swigluFwd },
  { kernelName: SwiGLUGrad, backendName: 'wasm', kernelFunc: swigluBwd },
];
