/**
 * A tiny mixture-of-experts Llama on webgpu in Node (Dawn; Mesa llvmpipe on a machine without a GPU): its loss and
 * gradients take no synchronous read of GPU memory (the MoE layers route on the device, dense dispatch) and agree
 * with the cpu backend's sparse read-back path to 1e-4. Skipped only with QUARKMED_SKIP_WEBGPU=1, as the other webgpu
 * tests: a webgpu that fails to start fails here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';
import { afterAll, describe, expect, it } from 'vitest';
import type { LlamaConfig } from '../../src/config';
import { LlamaModel } from '../../src/decoder/index';

const SKIP_WEBGPU = process.env.QUARKMED_SKIP_WEBGPU === '1';

const MOE: LlamaConfig = {
  vocabSize: 32,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  numKvHeads: 1,
  intermediateSize: 12,
  maxSeqLen: 16,
  initStd: 0.2,
  moe: { numExperts: 4, topK: 2 },
};

interface ReadableBackend {
  readSync(dataId: object): unknown;
  tensorMap: { get(dataId: object): { values?: unknown } | undefined };
}

/**
 * Counts synchronous reads on the active webgpu backend that copy from GPU memory (a read of values tfjs still keeps
 * on the CPU, e.g. a small upload, is harmless and not counted). The idea of grpo's test helper, kept local.
 */
function watchGpuSyncReads(): { count: () => number; where: () => string | undefined; stop: () => void } {
  const backend = tf.backend() as unknown as ReadableBackend;
  const original = backend.readSync;
  let gpu = 0;
  let where: string | undefined;
  backend.readSync = function (this: ReadableBackend, dataId: object): unknown {
    if (backend.tensorMap.get(dataId)?.values == null) {
      gpu++;
      where ??= new Error('sync read').stack?.split('\n').slice(2, 10).join('\n');
    }
    return original.call(this, dataId);
  };
  return { count: () => gpu, where: () => where, stop: () => void (backend.readSync = original) };
}

interface Run {
  loss: number;
  lmLoss: number;
  aux: number;
  z: number;
  grads: Map<string, Float32Array>;
  expertCounts: number[][] | undefined;
}

/** Loss and every weight gradient of a left-padded batch, read with `await data()` only. */
async function lossAndGrads(): Promise<Run> {
  const model = new LlamaModel(MOE, { seed: 11 });
  const ids = tf.tensor2d([[0, 0, 5, 9, 2, 7, 3, 1], [4, 8, 15, 16, 23, 30, 11, 2]], [2, 8], 'int32');
  const labels = tf.tensor2d([[-100, -100, 5, 9, 2, 7, 3, 1], [4, 8, 15, 16, 23, 30, 11, 2]], [2, 8], 'int32');
  const mask = tf.tensor2d([[0, 0, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]], [2, 8], 'int32');
  const vars = model.variables();
  let parts: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const out = model.loss(ids, labels, { attentionMask: mask });
    parts = [tf.keep(out.lmLoss), tf.keep(out.auxLoss!), tf.keep(out.zLoss!)];
    return out.loss;
  }, vars);
  const fwd = model.forward(ids, { attentionMask: mask });
  const read = async (t: tf.Tensor) => (await t.data())[0]!;
  const run: Run = {
    loss: await read(value),
    lmLoss: await read(parts[0]!),
    aux: await read(parts[1]!),
    z: await read(parts[2]!),
    grads: new Map(),
    expertCounts: fwd.expertCounts,
  };
  for (const [name, v] of model.weights) run.grads.set(name, (await grads[v.name]!.data()) as Float32Array);
  tf.dispose([value, ...Object.values(grads), ...parts, fwd.logits, fwd.auxLoss!, fwd.zLoss!, ids, labels, mask]);
  model.dispose();
  return run;
}

/** max |a − b| / max(|b|, 1) */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let w = 0;
  for (let i = 0; i < b.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1));
  return w;
}

afterAll(async () => {
  await initBackend('cpu', { log: false });
});

describe.skipIf(SKIP_WEBGPU)('MoE Llama on webgpu in Node (Dawn) vs cpu', () => {
  it('loss and every weight gradient: no synchronous GPU read, equal to cpu to 1e-4; expertCounts absent', async () => {
    await initBackend('cpu', { log: false });
    expect(tf.getBackend()).toBe('cpu');
    const cpu = await lossAndGrads();

    const choice = await initBackend('webgpu', { log: false });
    expect(choice.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    const watch = watchGpuSyncReads();
    let gpu: Run;
    try {
      gpu = await lossAndGrads();
    } finally {
      watch.stop();
    }
    expect(watch.count(), watch.where()).toBe(0);

    expect(cpu.expertCounts).toHaveLength(2);
    for (const layer of cpu.expertCounts!) expect(layer.reduce((a, b) => a + b, 0)).toBe(14 * 2); // 14 real tokens, top-2
    expect(gpu.expertCounts).toBeUndefined();

    expect(cpu.aux).toBeGreaterThan(0.5);
    expect(cpu.z).toBeGreaterThan(0);
    for (const k of ['loss', 'lmLoss', 'aux', 'z'] as const) expect(relErr([gpu[k]], [cpu[k]]), k).toBeLessThan(1e-4);
    expect([...gpu.grads.keys()]).toEqual([...cpu.grads.keys()]);
    let nonZero = 0;
    for (const [name, g] of cpu.grads) {
      expect(relErr(gpu.grads.get(name)!, g), name).toBeLessThan(1e-4);
      if (name.includes('block_sparse_moe') && g.some((v) => v !== 0)) nonZero++;
    }
    // the router and the experts chosen get gradients: 2 layers × (router + at least 2 experts × 3 weights)
    expect(nonZero).toBeGreaterThanOrEqual(2 * 7);
  });
});
