/** QmTokenLogProbs / QmTokenLogProbsGrad on wasm (csrc/rowwise.c): one read per row, max-subtracted lse. */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { TokenLogProbs, TokenLogProbsGrad } from '../names';
import { kernelFail, logitsRows } from '../input-checks';
import { kernelCall, type BackendWasm } from './common';

const tlpFwd: KernelFunc = ({ inputs, backend }) => {
  const { logits, ids } = inputs as { logits: TensorInfo; ids: TensorInfo };
  const [N, V] = logitsRows(`${TokenLogProbs} (wasm kernel)`, logits, ids, 'ids');
  const { outputs } = kernelCall(backend as BackendWasm, [{ t: logits }, { t: ids, int: true }], [{ shape: [N] }], [], (p) =>
    p.fn.qm_tlp_fwd(p.in[0]!, p.in[1]!, p.out[0]!, N, V),
  );
  return outputs[0]!;
};

const tlpBwd: KernelFunc = ({ inputs, backend }) => {
  const { dy, logits, ids } = inputs as { dy: TensorInfo; logits: TensorInfo; ids: TensorInfo };
  const where = `${TokenLogProbsGrad} (wasm kernel)`;
  const [N, V] = logitsRows(where, logits, ids, 'ids');
  if (dy.dtype !== 'float32' || dy.shape.length !== 1 || dy.shape[0] !== N) {
    kernelFail(where, 'dy', `dy must be float32 [${N}], got ${dy.dtype} [${dy.shape.join(', ')}]`);
  }
  const { outputs } = kernelCall(
    backend as BackendWasm,
    [{ t: dy }, { t: logits }, { t: ids, int: true }],
    [{ shape: [N, V] }],
    [],
    (p) => p.fn.qm_tlp_bwd(p.in[0]!, p.in[1]!, p.in[2]!, p.out[0]!, N, V),
  );
  return outputs[0]!;
};

/** wasm kernel configs of {@link TokenLogProbs} and {@link TokenLogProbsGrad}. */
export const tokenLogProbsConfigs: KernelConfig[] = [
  { kernelName: TokenLogProbs, backendName: 'wasm', kernelFunc: tlpFwd },
  { kernelName: TokenLogProbsGrad, backendName: 'wasm', kernelFunc: tlpBwd },
];
