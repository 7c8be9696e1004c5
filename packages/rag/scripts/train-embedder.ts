/**
 * Trains the built-in embedder (`models/quarkmed-embed-mini`): a small `@quarkmed/model` Llama trunk, mean-pooled
 * and L2-normalised, trained contrastively (InfoNCE with in-batch negatives, temperature τ) with the model
 * package's `Trainer` and a `computeLoss` hook, on pairs that come from no benchmark question (see
 * `embedder-data.ts`). Writes the checkpoint atomically (safetensors + config.json + tokenizer.json +
 * embedder_config.json).
 *
 *     pnpm exec tsx --conditions=@quarkmed/source packages/rag/scripts/train-embedder.ts [--steps 150] [--seed 1] \
 *       [--out packages/rag/models/quarkmed-embed-mini] [--backend wasm] [--batch 64]
 *
 * @packageDocumentation
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '@quarkmed/tensor-kernels';
import { LlamaModel, Trainer, cosineWithWarmup, trainBpe } from '@quarkmed/model';
import { buildMedicalKg } from '@quarkmed/data-synth/node';
import { ModelEmbedder, type EmbedderBatch } from '../src/embed/model-embedder';
import { infoNceLoss } from '../src/embed/contrastive-loss';
import { saveEmbedder } from '../src/node/embedder-files';
import { HELD_OUT, SPLIT_SEED, buildEntityCards, cardPairs, inverseClozePairs, shippedPassages, splitCards, type TextPair } from './embedder-data';
import { charOverlapRecall, embedderRecall } from './embedder-eval';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '150' },
    seed: { type: 'string', default: '1' },
    batch: { type: 'string', default: '64' },
    out: { type: 'string', default: fileURLToPath(new URL('../models/quarkmed-embed-mini', import.meta.url)) },
    backend: { type: 'string', default: 'wasm' },
    temperature: { type: 'string', default: '0.05' },
  },
});
const steps = Number(args.steps);
const seed = Number(args.seed);
const batchSize = Number(args.batch);
const temperature = Number(args.temperature);

const backend = await initBackend(args.backend as 'wasm', { log: false });
console.log(`backend: ${JSON.stringify(backend)}`);
const { kg } = await buildMedicalKg();
const cards = buildEntityCards(kg);
const { train, test } = splitCards(cards, HELD_OUT, SPLIT_SEED);
const passages = shippedPassages();
const pairs: TextPair[] = [...cardPairs(train, 4), ...inverseClozePairs(passages.en, 4, seed), ...inverseClozePairs(passages.zh, 4, seed + 1)];
console.log(`cards ${cards.length} (train ${train.length}, held out ${test.length}); pairs ${pairs.length}`);

const tokCorpus = [...train.map((c) => c.card), ...train.flatMap((c) => c.names), ...passages.en, ...passages.zh];
const tokenizer = trainBpe(tokCorpus, { vocabSize: 4096 });
const model = new LlamaModel(
  { vocabSize: tokenizer.vocabSize, hiddenSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 320, maxSeqLen: 128, tieEmbeddings: true },
  { seed },
);
const embedder = new ModelEmbedder(model, tokenizer, { maxLength: 128 });
console.log(`parameters: ${model.parameterCount()}`);

interface PairBatch {
  q: EmbedderBatch;
  p: EmbedderBatch;
  n: number;
}
const QUERY_MAX = 48;
const PASSAGE_MAX = 80;
const collate = (examples: readonly TextPair[]): PairBatch => {
  // Drop pairs whose passage is already in the batch: a duplicate positive would be a false negative.
  const seen = new Set<string>();
  const kept = examples.filter((e) => (seen.has(e.passage) ? false : (seen.add(e.passage), true)));
  const cut = (ids: number[], n: number): number[] => (ids.length > n ? ids.slice(0, n) : ids);
  return {
    q: embedder.collate(kept.map((e) => cut(embedder.tokenIds(e.query), QUERY_MAX))),
    p: embedder.collate(kept.map((e) => cut(embedder.tokenIds(e.passage), PASSAGE_MAX))),
    n: kept.length,
  };
};
const trainer = new Trainer<PairBatch, TextPair, ModelEmbedder>({
  model: embedder,
  trainableVariables: model.weights,
  lr: cosineWithWarmup({ warmupSteps: Math.max(1, Math.round(steps * 0.05)), totalSteps: Math.max(1, steps), peakLr: 2e-3, minLr: 1e-4 }),
  weightDecay: 0.01,
  batchSize,
  seed,
  dataCollator: collate,
  batchWeight: (b) => b.n,
  disposeBatch: (b) => {
    for (const t of [b.q.inputIds, b.q.attentionMask, b.p.inputIds, b.p.attentionMask]) t.dispose();
  },
  computeLoss: (m, b) => {
    const { loss, accuracy } = infoNceLoss(m.encode(b.q), m.encode(b.p), temperature);
    return { loss, metrics: { accuracy } };
  },
  onStep: (log) => {
    if (log.step % 25 === 0 || log.step === 1) console.log(JSON.stringify({ step: log.step, loss: +log.loss.toFixed(4), acc: +(log.metrics?.accuracy ?? 0).toFixed(3), lr: +log.lr.toExponential(2), ms: Math.round(log.ms) }));
  },
});
const t0 = Date.now();
if (steps > 0) await trainer.train(pairs, { steps });
const minutes = (Date.now() - t0) / 60000;

const heldOut = await embedderRecall(embedder, test);
const overlap = charOverlapRecall(test);
console.log(JSON.stringify({ heldOut, charOverlap: overlap, randomR1: 1 / test.length, minutes: +minutes.toFixed(2) }));
await saveEmbedder(args.out, embedder, {
  script: 'packages/rag/scripts/train-embedder.ts',
  objective: 'InfoNCE, in-batch negatives, symmetric',
  temperature,
  steps,
  batchSize,
  seed,
  pairs: { total: pairs.length, kg: pairs.filter((p) => p.kind === 'kg').length, ict: pairs.filter((p) => p.kind === 'ict').length },
  data: 'KG entity cards vs names/synonyms (@quarkmed/data-synth kg-subset, 80% split seed 7); inverse-cloze pairs from data/medical-text',
  heldOutEntityCards: { n: test.length, r1: heldOut.r1, mrr10: heldOut.mrr10, charOverlapR1: overlap.r1 },
  minutes: +minutes.toFixed(2),
});
console.log(`saved ${args.out}`);
