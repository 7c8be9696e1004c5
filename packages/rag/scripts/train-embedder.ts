/**
 * Trains the built-in embedder (`models/quarkmed-embed-mini`): a small `@quarkmed/model` Llama trunk, mean-pooled
 * and L2-normalised, trained contrastively (symmetric InfoNCE with in-batch negatives, temperature τ) with the model
 * package's `Trainer` and a `computeLoss` hook, on pairs that come from no benchmark question (see
 * `embedder-data.ts`):
 *
 * - inverse-cloze pairs cut from the retrieval corpora themselves (a sentence of a PubMedQA abstract section or of a
 *   CMExam explanation vs the rest of it);
 * - KG entity cards vs their names and synonyms (80 % of the cards; the rest is the quality test's held-out split).
 *
 * Batches are hard-negative batches (`hard-negative-batches.ts`): clusters of documents BM25 finds similar. The
 * tokenizer is a byte-level BPE trained on the same text (8,192 ids, so that common Chinese words get one id).
 * Deterministic for a given `--seed` and backend. Writes the checkpoint atomically (safetensors + config.json +
 * tokenizer.json + embedder_config.json).
 *
 *     pnpm exec tsx --conditions=@quarkmed/source packages/rag/scripts/train-embedder.ts [--steps 500] [--seed 1] \
 *       [--data ../shared/data] [--out packages/rag/models/quarkmed-embed-mini] [--backend wasm] [--batch 64] \
 *       [--layers 2] [--hidden 128] [--ict-per-doc 6] [--keep 0] [--clause-pools cmexam]
 *
 * @packageDocumentation
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '@quarkmed/tensor-kernels';
import { LlamaModel, Trainer, cosineWithWarmup, trainBpe } from '@quarkmed/model';
import { buildMedicalKg } from '@quarkmed/data-synth/node';
import { ModelEmbedder, type EmbedderBatch } from '../src/embed/model-embedder';
import { infoNceLoss } from '../src/embed/contrastive-loss';
import { saveEmbedder } from '../src/node/embedder-files';
import { HELD_OUT, SPLIT_SEED, buildEntityCards, cardPairs, corpusClozePairs, retrievalCorpusDocs, splitCards } from './embedder-data';
import { charOverlapRecall, embedderRecall } from './embedder-eval';
import { hardNegativeBatches, type PoolPair } from './hard-negative-batches';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
    batch: { type: 'string', default: '64' },
    cluster: { type: 'string', default: '4' },
    data: { type: 'string', default: fileURLToPath(new URL('../../../../shared/data', import.meta.url)) },
    out: { type: 'string', default: fileURLToPath(new URL('../models/quarkmed-embed-mini', import.meta.url)) },
    backend: { type: 'string', default: 'wasm' },
    temperature: { type: 'string', default: '0.05' },
    vocab: { type: 'string', default: '8192' },
    hidden: { type: 'string', default: '128' },
    layers: { type: 'string', default: '2' },
    lr: { type: 'string', default: '3e-3' },
    'ict-per-doc': { type: 'string', default: '6' },
    keep: { type: 'string', default: '0' },
    'clause-pools': { type: 'string', default: '' },
  },
});
const num = (k: keyof typeof args): number => {
  const v = Number(args[k]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${k}: must be a non-negative number, got ${String(args[k])}`);
  return v;
};
const steps = num('steps');
const seed = num('seed');
const batchSize = num('batch');
const clusterSize = num('cluster');
const temperature = num('temperature');
const hidden = num('hidden');

const backend = await initBackend(args.backend as 'wasm', { log: false });
console.log(`backend: ${JSON.stringify(backend)}`);
const { kg } = await buildMedicalKg();
const cards = buildEntityCards(kg);
const { train, test } = splitCards(cards, HELD_OUT, SPLIT_SEED);
const docs = retrievalCorpusDocs(resolve(args.data!));
const kgPairs: PoolPair[] = cardPairs(train, 4).map((p) => ({ ...p, group: `kg:${p.passage.slice(0, 64)}` }));
const ictPerDoc = num('ict-per-doc');
const keep = num('keep');
if (keep > 1) throw new Error(`--keep: must be a probability in [0, 1], got ${keep}`);
const clausePools = (args['clause-pools'] ?? '').split(',').filter((x) => x !== '');
for (const p of clausePools) if (p !== 'pubmedqa' && p !== 'cmexam') throw new Error(`--clause-pools: unknown pool ${JSON.stringify(p)} (pubmedqa, cmexam)`);
const clozeOptions = { clausePools: clausePools as ('pubmedqa' | 'cmexam')[], keep };
const ict = corpusClozePairs(docs, ictPerDoc, seed, clozeOptions);
const pools = [
  { name: 'kg', pairs: kgPairs },
  { name: 'pubmedqa', pairs: ict.filter((p) => p.group.startsWith('pubmedqa:')) },
  { name: 'cmexam', pairs: ict.filter((p) => p.group.startsWith('cmexam:')) },
];
console.log(`cards ${cards.length} (train ${train.length}, held out ${test.length}); corpus docs ${docs.length}; pairs ${pools.map((p) => `${p.name} ${p.pairs.length}`).join(', ')}`);

const tokCorpus = [...train.map((c) => c.card), ...train.flatMap((c) => c.names), ...docs.map((d) => d.text)];
const tokenizer = trainBpe(tokCorpus, { vocabSize: num('vocab') });
const QUERY_MAX = 64;
const PASSAGE_MAX = 160;
const model = new LlamaModel(
  { vocabSize: tokenizer.vocabSize, hiddenSize: hidden, numLayers: num('layers'), numHeads: 4, numKvHeads: 2, intermediateSize: Math.round((hidden * 2.5) / 32) * 32, maxSeqLen: PASSAGE_MAX, tieEmbeddings: true },
  { seed },
);
const embedder = new ModelEmbedder(model, tokenizer, { maxLength: PASSAGE_MAX });
console.log(`parameters: ${model.parameterCount()}`);

interface PairBatch {
  q: EmbedderBatch;
  p: EmbedderBatch;
  n: number;
}
const cut = (ids: number[], n: number): number[] => (ids.length > n ? ids.slice(0, n) : ids);
const collate = (examples: readonly PoolPair[]): PairBatch => ({
  q: embedder.collate(examples.map((e) => cut(embedder.tokenIds(e.query), QUERY_MAX))),
  p: embedder.collate(examples.map((e) => cut(embedder.tokenIds(e.passage), PASSAGE_MAX))),
  n: examples.length,
});
const disposeBatch = (b: PairBatch): void => {
  for (const t of [b.q.inputIds, b.q.attentionMask, b.p.inputIds, b.p.attentionMask]) t.dispose();
};
// The Trainer does not own batches from an iterable: each one is freed when the next is made.
function* batches(): Generator<PairBatch> {
  let prev: PairBatch | undefined;
  for (const pairs of hardNegativeBatches(pools, { batchSize, clusterSize, seed })) {
    if (prev) disposeBatch(prev);
    prev = collate(pairs);
    yield prev;
  }
}
const peakLr = num('lr');
const trainer = new Trainer<PairBatch, PoolPair, ModelEmbedder>({
  model: embedder,
  trainableVariables: model.weights,
  lr: cosineWithWarmup({ warmupSteps: Math.max(1, Math.round(steps * 0.05)), totalSteps: Math.max(1, steps), peakLr, minLr: peakLr / 20 }),
  weightDecay: 0.01,
  seed,
  batchWeight: (b) => b.n,
  computeLoss: (m, b) => {
    const { loss, accuracy } = infoNceLoss(m.encode(b.q), m.encode(b.p), temperature);
    return { loss, metrics: { accuracy } };
  },
  onStep: (log) => {
    if (log.step % 25 === 0 || log.step <= 3) console.log(JSON.stringify({ step: log.step, loss: +log.loss.toFixed(4), acc: +(log.metrics?.accuracy ?? 0).toFixed(3), lr: +log.lr.toExponential(2), ms: Math.round(log.ms) }));
  },
});
const t0 = Date.now();
if (steps > 0) await trainer.train(batches(), { steps });
const minutes = (Date.now() - t0) / 60000;

const heldOut = await embedderRecall(embedder, test);
const overlap = charOverlapRecall(test);
console.log(JSON.stringify({ heldOut, charOverlap: overlap, randomR1: 1 / test.length, minutes: +minutes.toFixed(2) }));
await saveEmbedder(args.out!, embedder, {
  script: 'packages/rag/scripts/train-embedder.ts',
  objective: 'InfoNCE, in-batch negatives (BM25 hard-negative batches), symmetric',
  temperature,
  steps,
  batchSize,
  clusterSize,
  peakLr,
  seed,
  pairs: Object.fromEntries(pools.map((p) => [p.name, p.pairs.length])),
  ict: { perDoc: ictPerDoc, ...clozeOptions },
  model: { layers: num('layers'), hidden },
  data: 'inverse-cloze pairs from the retrieval corpora (PubMedQA pqal_dev500 abstract sections, CMExam dev1000 explanations; never their questions); KG entity cards vs names/synonyms (@quarkmed/data-synth kg-subset, 80% split seed 7)',
  heldOutEntityCards: { n: test.length, r1: heldOut.r1, mrr10: heldOut.mrr10, charOverlapR1: overlap.r1 },
  minutes: +minutes.toFixed(2),
});
console.log(`saved ${args.out}`);
