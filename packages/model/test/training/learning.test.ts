/**
 * Learning test: a ~0.8M-parameter decoder trained byte-level on the shipped PubMedQA abstracts must cut
 * its held-out loss by at least 40% from ln(256) (the loss of a uniform guess) within 40 steps.
 * Runs on the wasm backend (SIMD, 1 thread): about 0.3-0.5 s a step on one core, the cpu backend is
 * ~40x slower.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@quarkmed/tensor-kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlamaModel } from '../../src/decoder/llama';
import { cosineWithWarmup } from '../../src/training/schedule';
import { Trainer, type TrainExample } from '../../src/training/trainer';

const TEXT = fileURLToPath(new URL('../../../../data/medical-text/pubmedqa-abstracts.en.txt', import.meta.url));
const SEQ = 64;
const STEPS = 40;

/** Byte-level ids (vocab 256): the tiny tokenizer of this test. */
function chunks(bytes: Uint8Array, from: number, to: number): TrainExample[] {
  const out: TrainExample[] = [];
  for (let i = from; i + SEQ <= to; i += SEQ) out.push({ inputIds: Array.from(bytes.subarray(i, i + SEQ)) });
  return out;
}

let model: LlamaModel;
beforeAll(async () => {
  await initBackend('wasm', { threads: 1, log: false });
});
afterAll(() => model?.dispose());

describe('learning on medical text', () => {
  it(`byte-level loss falls >= 40% below ln(256) in ${STEPS} seeded steps`, async () => {
    const bytes = new Uint8Array(readFileSync(TEXT));
    const train = chunks(bytes, 0, 200_000);
    const heldOut = chunks(bytes, 200_000, 200_000 + 32 * SEQ);
    model = new LlamaModel(
      { vocabSize: 256, hiddenSize: 128, numLayers: 4, numHeads: 4, numKvHeads: 2, intermediateSize: 344, maxSeqLen: SEQ },
      { seed: 1 },
    );
    expect(model.parameterCount()).toBeGreaterThan(700_000);
    const trainer = new Trainer({
      model,
      lr: cosineWithWarmup({ warmupSteps: 8, totalSteps: STEPS, peakLr: 3e-3, minLr: 3e-4 }),
      batchSize: 16,
      seed: 1,
      maxGradNorm: 1,
    });
    const uniform = Math.log(256);
    const before = await trainer.evaluate(heldOut);
    expect(Math.abs(before - uniform)).toBeLessThan(0.1); // a fresh model is close to uniform
    const start = performance.now();
    const { losses } = await trainer.train(train, { steps: STEPS });
    const seconds = (performance.now() - start) / 1000;
    const after = await trainer.evaluate(heldOut);
    console.info(`learning: held-out loss ${before.toFixed(3)} -> ${after.toFixed(3)} (train ${losses[0]!.toFixed(3)} -> ${losses[STEPS - 1]!.toFixed(3)}) in ${seconds.toFixed(1)} s`);
    expect(after).toBeLessThanOrEqual(0.6 * uniform);
    trainer.dispose();
  });
});
