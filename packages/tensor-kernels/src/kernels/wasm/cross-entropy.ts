/**
 * QmCrossEntropy / QmCrossEntropyGrad on wasm (csrc/rowwise.c): the loss reads each logits row once
 * (blocked online max + Σexp), the gradient is a fused softmax - onehot; no one-hot is materialised.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { CrossEntropy, CrossEntropyGrad, type CrossEntropyAttrs } from '../names';
import { kernelFail, logitsRows } from '../input-checks';
import { kernelCall, tfjsView, type BackendWasm } from './common';

const WHERE = (name: string) => `${name} (wasm kernel)`;

const xentFwd: KernelFunc = ({ inputs, attrs, backend }) => {
  const { logits, labels } = inputs as { logits: TensorInfo; labels: TensorInfo };
  const { ignoreIndex } = attrs as unknown as CrossEntropyAttrs;
  const be = backend as BackendWasm;
  const [N, V] = logitsRows(WHERE(CrossEntropy), logits, labels, 'labels');
  const { result: loss } = kernelCall(be, [{ t: logits }, { t: labels, int: true }], [], [], (p) =>
    p.fn.qm_xent_fwd(p.in[0]!, p.in[1]!, N, V, ignoreIndex),
  );
  const out = be.makeOutput([], 'float32');
  (tfjsView(be, out) as Float32Array)[0] = loss;
  return out;
};

const xentBwd: KernelFunc = ({ inputs, attrs, backend }) => {
  const { dy, logits, labels } = inputs as { dy: TensorInfo; logits: TensorInfo; labels: TensorInfo };
  const { ignoreIndex } = attrs as unknown as CrossEntropyAttrs;
  const be = backend as BackendWasm;
  const [N, V] = logitsRows(WHERE(CrossEntropyGrad), logits, labels, 'labels');
  if (dy.dtype !== 'float32' || dy.shape.reduce((a, b) => a * b, 1) !== 1) {
    kernelFail(WHERE(CrossEntropyGrad), 'dy', `dy must be a float32 scalar, got ${dy.dtype} [${dy.shape.join(', ')}]`);
  }
  const dyValue = tfjsView(be, dy)[0] ?? 0;
  const { outputs } = kernelCall(be, [{ t: logits }, { t: labels, int: true }], [{ shape: [N, V] }], [], (p) =>
    p.fn.qm_xent_bwd(dyValue, p.in[0]!, p.in[1]!, p.out[0]!, N, V, ignoreIndex),
  );
  return outputs[0]!;
};

/** wasm kernel configs of {@link CrossEntropy} and {@link CrossEntropyGrad}. */
export const crossEntropyConfigs: KernelConfig[] = [
  { kernelName: CrossEntropy, backendName: 'wasm', kernelFunc: xentFwd },
  { kernelName: CrossEntropyGrad, backendName: 'wasm', kernelFunc: xentBwd },
];
