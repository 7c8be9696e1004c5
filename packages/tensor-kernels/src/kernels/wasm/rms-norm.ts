/** QmRmsNorm / QmRmsNormGrad on wasm: one SIMD pass per row (csrc/rowwise.c). */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { RmsNorm, RmsNormGrad, type RmsNormAttrs } from '../names';
import { checkSameSize, rmsNormRows } from '../input-checks';
import { kernelCall, type BackendWasm } from './common';

const rmsNormFwd: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, weight } = inputs as { x: TensorInfo; weight: TensorInfo };
  const { eps } = attrs as unknown as RmsNormAttrs;
  const [rows, D] = rmsNormRows(`${RmsNorm} (wasm kernel)`, x, weight);
  const { outputs } = kernelCall(backend as BackendWasm, [{ t: x }, { t: weight }], [{ shape: x.shape.slice() }], [], (p) =>
    p.fn.qm_rmsnorm_fwd(p.in[0]!, p.in[1]!, p.out[0]!, rows, D, eps),
  );
  return outputs[0]!;
};

const rmsNormBwd: KernelFunc = ({ inputs, attrs, backend }) => {
  const { dy, x, weight } = inputs as { dy: TensorInfo; x: TensorInfo; weight: TensorInfo };
  const { eps } = attrs as unknown as RmsNormAttrs;
  const where = `${RmsNormGrad} (wasm kernel)`;
  const [rows, D] = rmsNormRows(where, x, weight);
  checkSameSize(where, 'x', x, 'dy', dy);
  const { outputs } = kernelCall(
    backend as BackendWasm,
    [{ t: dy }, { t: x }, { t: weight }],
    [{ shape: x.shape.slice() }, { shape: weight.shape.slice() }],
    [],
    (p) => p.fn.qm_rmsnorm_bwd(p.in[0]!, p.in[1]!, p.in[2]!, p.out[0]!, p.out[1]!, rows, D, eps),
  );
  return outputs;
};

/** wasm kernel configs of {@link RmsNorm} and {@link RmsNormGrad}. */
export const rmsNormConfigs: KernelConfig[] = [
  { kernelName: RmsNorm, backendName: 'wasm', kernelFunc: rmsNormFwd },
  { kernelName: RmsNormGrad, backendName: 'wasm', kernelFunc: rmsNormBwd },
];
