/** QmRope on wasm (csrc/rowwise.c). The gradient is this kernel with -sin. */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Rope } from '../names';
import { ropeDims } from '../input-checks';
import { kernelCall, type BackendWasm } from './common';

const ropeKernel: KernelFunc = ({ inputs, backend }) => {
  const { x, cos, sin } = inputs as { x: TensorInfo; cos: TensorInfo; sin: TensorInfo };
  const { B, H, T, Dh, Bc } = ropeDims(`${Rope} (wasm kernel)`, x, cos, sin);
  const { outputs } = kernelCall(backend as BackendWasm, [{ t: x }, { t: cos }, { t: sin }], [{ shape: x.shape.slice() }], [], (p) =>
    p.fn.qm_rope(p.in[0]!, p.in[1]!, p.in[2]!, p.out[0]!, B, H, T, Dh, Bc),
  );
  return outputs[0]!;
};

/** wasm kernel config of {@link Rope}. */
export const ropeConfigs: KernelConfig[] = [{ kernelName: Rope, backendName: 'wasm', kernelFunc: ropeKernel }];
