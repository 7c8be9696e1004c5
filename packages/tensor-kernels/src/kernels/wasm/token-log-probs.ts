/** QmTokenLogProbs / QmTokenLogProbsGrad on wasm (csrc/rowwise.c): one read per row, max-subtracted lse. */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { TokenLogProbs, TokenLogProbsGrad } from '../names';
import { emit, stage, type BackendWasm } from './common';

const tlpFwd: KernelFunc = ({ inputs, backend }) => {
  const { logits, ids } = inputs as { logits: TensorInfo; ids: TensorInfo };
  const be = backend as BackendWasm;
  const [N, V] = logits.shape as [number, number];
  const { k, off } = stage(be, [{ t: logits }, { t: ids, int: true }], [N * 4]);
  k.fn.qm_tlp_fwd(off[0], off[1], off[2], N, V);
  return emit(be, k, off[2], [N]);
};

const tlpBwd: KernelFunc = ({ inputs, backend }) => {
  const { dy, logits, ids } = inputs as { dy: TensorInfo; logits: TensorInfo; ids: TensorInfo };
  const be = backend as BackendWasm;
  const [N, V] = logits.shape as [number, number];
  const { k, off } = stage(be, [{ t: dy }, { t: logits }, { t: ids, int: true }], [N * V * 4]);
  k.fn.qm_tlp_bwd(off[0], off[1], off[2], off[3], N, V);
  return emit(be, k, off[3], [N, V]);
};

/** wasm kernel configs of {@link TokenLogProbs} and {@link TokenLogProbsGrad}. */
export const tokenLogProbsConfigs: KernelConfig[] = [
  { kernelName: TokenLogProbs, backendName: 'wasm', kernelFunc: tlpFwd },
  { kernelName: TokenLogProbsGrad, backendName: 'wasm', kernelFunc: tlpBwd },
];
