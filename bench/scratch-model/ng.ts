import * as tf from '@tensorflow/tfjs-core';
import * as qk from '@quarkmed/tensor-kernels';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
const backend = process.argv[2] ?? 'cpu';
const t0 = Date.now();
tf.env().set('IS_NODE', false);
const ng = await import('@genai-fi/nanogpt');
tf.env().set('IS_NODE', true);
const dist = dirname(createRequire(import.meta.url).resolve('@genai-fi/nanogpt'));
const lossMod = await import(pathToFileURL(join(dist, 'training/loss.js')).href);
await qk.initBackend(backend as never, { log: false });
const NAMES = ['AdamAdjust','AdamMoments','AppendCache','AttentionMask','EfficientGatherSub','EfficientScatterSub','FusedSoftmax','Gelu','GeluGrad','MatMulGelu','MatMulGeluGrad','MatMulMul','MulDropout','QKV','RMSNorm','RMSNormGrad','Rope'];
const rmsGradCpu = tf.getKernel('RMSNormGrad', 'cpu')!;
for (const b of ['cpu', backend]) {
  if (b !== 'cpu') for (const n of NAMES) { const k = tf.getKernel(n, 'cpu'); if (k && !tf.getKernel(n, b)) tf.registerKernel({ ...k, backendName: b }); }
  if (!tf.getKernel('RMSNormNoGamma', b)) tf.registerKernel({ kernelName: 'RMSNormNoGamma', backendName: b, kernelFunc: ({ inputs }) => tf.tidy(() => { const x = inputs['x'] as tf.Tensor; return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-8))); }) });
}
// gamma-less RMSNormGrad
for (const b of new Set(['cpu', backend])) {
  const orig = tf.getKernel('RMSNormGrad', b)!;
  tf.unregisterKernel('RMSNormGrad', b);
  tf.registerKernel({ kernelName: 'RMSNormGrad', backendName: b, kernelFunc: (args) => {
    if (args.inputs['gamma'] !== undefined) return orig.kernelFunc(args);
    const x = args.inputs['x'] as tf.Tensor;
    return tf.tidy(() => { const ones = tf.ones([x.shape[x.rank - 1]!]); const r = orig.kernelFunc({ ...args, inputs: { ...args.inputs, gamma: ones } }) as tf.Tensor[]; return [r[0]!]; }) as never;
  } });
}
console.log('import ms', Date.now() - t0, tf.getBackend());
const cfg = { vocabSize: 512, blockSize: 96, nLayer: 2, nHead: 4, nEmbed: 64, mlpFactor: 4 };
const m = new ng.models.NanoGPTV2(cfg);
const B = 2, T = 32;
const idx = tf.randomUniformInt([B, T], 0, cfg.vocabSize, { seed: 1 } as never) as tf.Tensor2D;
const lab = tf.randomUniformInt([B, T], 0, cfg.vocabSize, { seed: 2 } as never) as tf.Tensor2D;
const out = m.forward({ training: false }, idx);
console.log(out.shape, tf.getBackend(), m.getNumParams(), m.trainableVariables.length);
out.dispose();
const opt = new ng.training.AdamWOptimizer({ learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, lossScaling: 1, warmupSteps: 0, decayEpochs: 1e9, minLearningRate: 1e-3, epochSteps: 1 } as never);
for (let s = 0; s < 4; s++) {
  const t1 = performance.now();
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => { const logits = m.forward({ training: true } as never, idx); return lossMod.calculateLoss(logits, lab, false, false, 0) as tf.Scalar; }, m.trainableVariables);
    const g = opt.applyGradients(grads as never); tf.dispose(g);
    return value;
  });
  console.log('step', s, (await loss.data())[0], (performance.now() - t1).toFixed(0), 'ms', tf.memory().numTensors);
  loss.dispose();
}
// generation with cache
const cache = Array.from({ length: cfg.nLayer }, () => ({ k: undefined, v: undefined, length: 0, cumulativeLength: 0 }));
let cur: tf.Tensor = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8]], [1, 8], 'int32');
const ids: number[] = [];
const tg = performance.now();
for (let i = 0; i < 40; i++) {
  const next = tf.tidy(() => { const lg = m.forward({ training: false, cache } as never, cur); const last = tf.slice(lg, [0, lg.shape[1]! - 1, 0], [1, 1, -1]); return tf.reshape(tf.argMax(last, -1), [1, 1]); });
  cur.dispose(); cur = tf.cast(next, 'int32'); next.dispose();
  ids.push((await cur.data())[0]!);
}
console.log('gen ms', (performance.now() - tg).toFixed(0), ids.slice(0, 12), tf.memory().numTensors);
// uncached check
let seq = [1, 2, 3, 4, 5, 6, 7, 8]; const ids2: number[] = [];
for (let i = 0; i < 10; i++) {
  const next = tf.tidy(() => { const x = tf.tensor2d([seq], [1, seq.length], 'int32'); const lg = m.forward({ training: false } as never, x); const last = tf.slice(lg, [0, lg.shape[1]! - 1, 0], [1, 1, -1]); return tf.argMax(last, -1); });
  const v = (await next.data())[0]!; next.dispose(); ids2.push(v); seq = [...seq, v];
}
console.log('uncached', ids2);
