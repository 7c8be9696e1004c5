/**
 * QmTokenLogProbs / QmTokenLogProbsGrad on webgpu: one workgroup per row computes the row's log-sum-exp
 * in workgroup memory, then `logits[n, id] - lse` (forward) or `dy[n] (onehot - softmax)` (backward).
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { TokenLogProbs, TokenLogProbsGrad } from '../names';
import { logitsShape } from './cross-entropy';
import { asWebGPU, i32, input, rowLseSnippet, rowProgram, rowWorkgroupSize, runProgram, SHARED_BUF } from './program';
import { KernelInputError } from '../kernel-input-error';

const tokenLogProbs: KernelFunc = ({ inputs, backend }) => {
  const be = asWebGPU(TokenLogProbs, backend);
  const logits = input(TokenLogProbs, inputs, 'logits');
  const ids = input(TokenLogProbs, inputs, 'ids');
  const [N, V] = logitsShape(TokenLogProbs, logits, ids, 'ids');
  if (N === 0) return be.makeTensorInfo([0], 'float32');
  return runProgram(
    be,
    rowProgram('tlp', ['logits', 'ids'], [N], N, rowWorkgroupSize(V), 'V : i32,', SHARED_BUF, `
        var id = -1;
        if (valid) {
          id = ids[row];
        }
        let inRange = id >= 0 && id < uniforms.V;
        ${rowLseSnippet('logits', 'valid && inRange')}
        if (valid && tid == 0) {
          // an id outside [0, V) is never read: NaN
          var lp = uniforms.NAN;
          if (inRange && !rowBad) {
            lp = logits[base + id] - lse;
          }
          setOutputAtIndex(row, lp);
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
    throw new KernelInputError(TokenLogProbsGrad, 'dy', `${TokenLogProbsGrad} (webgpu kernel): dy must be [${N}], got [${dy.shape.join(', ')}]`);
  }
  if (N === 0 || V === 0) return be.makeTensorInfo([N, V], 'float32');
  return runProgram(
    be,
    rowProgram('tlp_grad', ['dy', 'logits', 'ids'], [N * V], N, rowWorkgroupSize(V), 'V : i32,', SHARED_BUF, `
        var id = -1;
        if (valid) {
          id = ids[row];
        }
        let inRange = id >= 0 && id < uniforms.V;
        ${rowLseSnippet('logits', 'valid && inRange')}
        if (valid) {
          let d = dy[row];
          for (var c = tid; c < V; c += WG) {
            var g = uniforms.NAN;
            if (inRange && !rowBad) {
              g = d * (select(0.0, 1.0, c == id) - exp(logits[base + c] - lse));
            }
            setOutputAtIndex(base + c, g);
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
