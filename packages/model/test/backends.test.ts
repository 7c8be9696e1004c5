/**
 * The model on every backend of @quarkmed/tensor-kernels: no tensor growth over 100 training steps and 100
 * generations (cpu, wasm), and a webgpu (Mesa llvmpipe here) smoke test against cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';
import { describe, expect, it } from 'vitest';
import { LlamaModel, Trainer, generate, type LlamaConfig, type TrainExample } from '../src/index';

const CONFIG: LlamaConfig = {
  vocabSize: 40,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  intermediateSize: 24,
  maxSeqLen: 32,
};

function examples(n: number, len: number): TrainExample[] {
  return Array.from({ length: n }, (_, i) => ({ inputIds: Array.from({ length: len }, (_, t) => (i * 7 + t * 3) % 40) }));
}

describe.each(['cpu', 'wasm'] as const)('model memory on %s', (backend) => {
  it('tf.memory().numTensors after 100 training steps equals after the first', async () => {
    await initBackend(backend, { log: false });
    const model = new LlamaModel(CONFIG, { seed: 3 });
    const counts: number[] = [];
    const trainer = new Trainer({ model, lr: 1e-3, batchSize: 2, seed: 1, onStep: () => counts.push(tf.memory().numTensors) });
    const result = await trainer.train(examples(16, 9), { steps: 100 });
    expect(result.losses).toHaveLength(100);
    expect(counts[99]).toBe(counts[0]);
    model.dispose();
  });

  it('tf.memory().numTensors after 100 generations equals after the first', async () => {
    await initBackend(backend, { log: false });
    const model = new LlamaModel(CONFIG, { seed: 4 });
    const counts: number[] = [];
    for (let i = 0; i < 100; i++) {
      const out = await generate(model, [[1, 2, 3], [4, 5]], { maxNewTokens: 3, temperature: i % 2 ? 0.8 : 0, seed: i, stopIds: [] });
      expect(out[0].tokenIds).toHaveLength(3);
      counts.push(tf.memory().numTensors);
    }
    expect(counts[99]).toBe(counts[0]);
    model.dispose();
  });
});

describe.skipIf(process.env.QUARKMED_SKIP_WEBGPU === '1')('model on webgpu (smoke)', () => {
  it("forward logits match cpu to 1e-4, training steps give cpu's losses, cached generation runs", async () => {
    await initBackend('cpu', { log: false });
    const ids = tf.tensor2d([[1, 5, 9, 2, 7, 3]], [1, 6], 'int32');
    const cpuModel = new LlamaModel(CONFIG, { seed: 9 });
    const cpuLogits = tf.tidy(() => cpuModel.forward(ids).logits).dataSync().slice();
    const cpuLosses = (await new Trainer({ model: cpuModel, lr: 1e-2, batchSize: 2, seed: 1 }).train(examples(4, 7), { steps: 3 })).losses;
    cpuModel.dispose();
    ids.dispose();

    const choice = await initBackend('webgpu', { log: false });
    expect(choice.name).toBe('webgpu');
    const model = new LlamaModel(CONFIG, { seed: 9 });
    const gpuIds = tf.tensor2d([[1, 5, 9, 2, 7, 3]], [1, 6], 'int32');
    const logits = tf.tidy(() => model.forward(gpuIds).logits);
    const got = await logits.data();
    let worst = 0;
    got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - cpuLogits[i]) / Math.max(1, Math.abs(cpuLogits[i])))));
    expect(worst).toBeLessThan(1e-4);

    const trainer = new Trainer({ model, lr: 1e-2, batchSize: 2, seed: 1 });
    const r = await trainer.train(examples(4, 7), { steps: 3 });
    // same init, data order and updates as on cpu: the losses (after two updates) agree
    r.losses.forEach((l, i) => expect(Math.abs(l - cpuLosses[i])).toBeLessThan(1e-3));
    const out = await generate(model, [[1, 2, 3]], { maxNewTokens: 4, stopIds: [] });
    expect(out[0].tokenIds).toHaveLength(4);
    tf.dispose([logits, gpuIds]);
    model.dispose();
    await initBackend('cpu', { log: false });
  });
});
