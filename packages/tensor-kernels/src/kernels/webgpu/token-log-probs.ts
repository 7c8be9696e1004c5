/**
 * QmTokenLogProbs / QmTokenLogProbsGrad on webgpu: one workgroup per row computes the row's log-sum-exp
 * in workgroup memory, then `logits[n, id] - lse` (forward) or `dy[n] (onehot - softmax)` (backward).
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { TokenLogProbs, TokenLogProbsGrad } from '../names';
import { logitsShape } from './cross-entropy';
import { asWebGPU, i32, input, rowLseSnippet, rowProgram, rowWorkgroupSize, runProgram, SHARED_BUF } from './program';

const tokenLogProbs: KernelFunc = ({ inputs, backend }) => {
  const be = asWebGPU(TokenLogProbs, backend);
  const logits = input(TokenLogProbs, inputs, 'logits');
  const ids = input(TokenLogProbs, inputs, 'ids');
  const [N, V] = logitsShape(TokenLogProbs, logits, ids, 'ids');
  return runProgram(
    be,
    rowProgram('tlp', ['logits', 'ids'], [N], N, rowWorkgroupSize(V), 'V : i32,', SHARED_BUF, `
        ${rowLseSnippet('logits', 'valid')}
        if (valid && tid == 0) {
          setOutputAtIndex(row, logits[base + clamp(ids[row], 0, V - 1)] - lse);
        }`),
    [logits, ids],
    [i32(N), i32(V)],
  );
};

const tokenLogProbsGrad: KernelFunc = ({ inputs, backend }) => {
  const be = asWebGPU(TokenLogProbsGrad, backend);
  const dy = input(TokenLogProbsGrad, inputs, 'dy');
  const logits = input(TokenLogProbsGrad, inputs, 'logits');
  const ids = input(TokenLogProbsGrad, inputs, 'ids');
  const [N, V] = logitsShape(TokenLogProbsGrad, logits, ids, 'ids');
  if (dy.shape.length !== 1 || dy.shape[0] !== N) {
    throw new RangeError(`${TokenLogProbsGrad} (webgpu kernel): dy must be [${N}], got [${dy.shape.join(', ')}]`);
  }
  return runProgram(
    be,
    rowProgram('tlp_grad', ['dy', 'logits', 'ids'], [N * V], N, rowWorkgroupSize(V), 'V : i32,', SHARED_BUF, `
        ${rowLseSnippet('logits', 'valid')}
        if (valid) {
          let d = dy[row];
          let id = ids[row];
          for (var c = tid; c < V; c += WG) {
            setOutputAtIndex(base + c, d * (select(0.0, 1.0, c == id) - exp(logits[base + c] - lse)));
          }
        }`),
    [dy, logits, ids],
    [i32(N), i32(V)],
    [N, V],
  );
};

/** webgpu kernel configs of {@link TokenLogProbs} and {@link TokenLogProbsGrad}. */
export const tokenLogProbsConfigs: KernelConfig[] = [
  { kernelName: TokenLogProbs, backendName: 'webgpu', kernelFunc: tokenLogProbs },
  { kernelName: TokenLogProbsGrad, backendName: 'webgpu', kernelFunc: tokenLogProbsGrad },
];
