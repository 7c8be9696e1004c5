import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@quarkmed/tensor-kernels';
import { buildMedicalKg } from '@quarkmed/data-synth/node';
import { EmbeddedVectorStore, EmbedderError, infoNceLoss, loadEmbedder, meanPoolNormalize, type ModelEmbedder } from '../../src/index';
import { defaultEmbedderDir, loadDefaultEmbedder, loadEmbedderFromDirectory, saveEmbedder } from '../../src/node/index';
import { HELD_OUT, SPLIT_SEED, buildEntityCards, splitCards } from '../../scripts/embedder-data';
import { charOverlapRecall, embedderRecall, summarize } from '../../scripts/embedder-eval';

let embedder: ModelEmbedder;
let tmp: string;
beforeAll(async () => {
  await initBackend('wasm', { threads: 1, log: false });
  embedder = await loadDefaultEmbedder();
  tmp = await mkdtemp(join(tmpdir(), 'rag-embed-'));
});
afterAll(async () => {
  embedder?.dispose();
  await rm(tmp, { recursive: true, force: true });
});

describe('pooling and loss', () => {
  it('mean-pools over non-pad tokens only and normalises', () => {
    const h = tf.tensor3d([[[1, 0], [3, 4], [100, 100]]]);
    const m = tf.tensor2d([[1, 1, 0]]);
    const out = meanPoolNormalize(h, m).arraySync()[0]!;
    // mean of the first two rows = [2, 2] → unit vector
    expect(out[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(out[1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('InfoNCE matches a hand computation and its gradient matches finite differences', () => {
    const q = tf.tensor2d([[1, 0], [0.6, 0.8]]);
    const p = tf.tensor2d([[0.8, 0.6], [0, 1]]);
    const { loss, accuracy } = infoNceLoss(q, p, 0.5, false);
    const s = [[0.8 / 0.5, 0 / 0.5], [(0.48 + 0.48) / 0.5, 0.8 / 0.5]]; // q·pᵀ / τ
    const ce = (row: number[], gold: number): number => Math.log(row.reduce((a, x) => a + Math.exp(x), 0)) - row[gold]!;
    expect(loss.dataSync()[0]).toBeCloseTo((ce(s[0]!, 0) + ce(s[1]!, 1)) / 2, 5);
    expect(accuracy.dataSync()[0]).toBe(0.5); // row 2 prefers the wrong passage
    const f = (x: tf.Tensor): tf.Scalar => infoNceLoss(x as tf.Tensor2D, p, 0.5).loss;
    const g = tf.grad(f)(q).dataSync();
    const base = q.dataSync();
    for (let i = 0; i < 4; i++) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[i]! += 1e-3;
      minus[i]! -= 1e-3;
      const num = (f(tf.tensor2d(plus, [2, 2])).dataSync()[0]! - f(tf.tensor2d(minus, [2, 2])).dataSync()[0]!) / 2e-3;
      expect(g[i]).toBeCloseTo(num, 2);
    }
  });
});

describe('the shipped embedder', () => {
  it('is small, loads from the package and embeds to unit vectors, padding-invariant', async () => {
    const dir = defaultEmbedderDir();
    const bytes = ['model.safetensors', 'config.json', 'tokenizer.json', 'embedder_config.json'].reduce((a, f) => a + readFileSync(join(dir, f)).length, 0);
    expect(bytes).toBeLessThan(8 * 1024 * 1024);
    expect(embedder.model.parameterCount()).toBeLessThan(2_000_000);
    const texts = ['Metformin for type 2 diabetes.', '二甲双胍治疗2型糖尿病', 'A much longer sentence about hypertension and its first-line treatment with thiazide diuretics.'];
    const batch = await embedder.embedDocuments(texts);
    for (const [i, v] of batch.entries()) {
      expect(v).toHaveLength(embedder.dimension);
      expect(Math.hypot(...v)).toBeCloseTo(1, 4);
      const alone = await embedder.embedQuery(texts[i]!); // no padding
      for (let j = 0; j < v.length; j++) expect(v[j]).toBeCloseTo(alone[j]!, 4);
    }
    await expect(embedder.embedDocuments(['ok', ' '])).rejects.toThrow(EmbedderError);
    await expect(embedder.embedDocuments(['ok', ' '])).rejects.toThrow(/texts\[1\]: is empty/);
  });

  it('saves and reloads (directory and in-memory files) to identical vectors', async () => {
    const d = join(tmp, 'emb');
    await saveEmbedder(d, embedder, { note: 'test' });
    const again = await loadEmbedderFromDirectory(d);
    const files: Record<string, string | Uint8Array> = {};
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'embedder_config.json']) files[f] = await readFile(join(d, f), 'utf8');
    files['model.safetensors'] = new Uint8Array(await readFile(join(d, 'model.safetensors')));
    const fromFiles = await loadEmbedder(files);
    const t = ['acute appendicitis in the elderly'];
    const [a] = await embedder.embedDocuments(t);
    expect(Array.from((await again.embedDocuments(t))[0]!)).toEqual(Array.from(a!));
    expect(Array.from((await fromFiles.embedDocuments(t))[0]!)).toEqual(Array.from(a!));
    again.dispose();
    fromFiles.dispose();
    const { 'embedder_config.json': _drop, ...rest } = files;
    void _drop;
    await expect(loadEmbedder(rest)).rejects.toThrow(/embedder_config\.json: is missing/);
    await expect(loadEmbedder({ ...files, 'embedder_config.json': '{"format":"quarkmed-embedder","version":1,"pooling":"cls","normalize":true,"max_length":8}' })).rejects.toThrow(/pooling/);
  });

  it('finds held-out KG entity cards from their names far better than chance (names → cards)', async () => {
    const { kg } = await buildMedicalKg();
    const { test } = splitCards(buildEntityCards(kg), HELD_OUT, SPLIT_SEED); // the split train-embedder.ts held out
    expect(test.length).toBeGreaterThan(100);
    const ours = await embedderRecall(embedder, test);
    const overlap = charOverlapRecall(test);
    const random = 1 / test.length;
    console.log(JSON.stringify({ heldOutCards: test.length, embedder: ours, charTrigramOverlap: overlap, randomR1: random }));
    // Stated margins (the shipped checkpoint reaches R@1 0.233, MRR@10 0.303): at least 20x the random baseline's
    // R@1 (0.172) and MRR@10 above 0.25 (chance MRR@10 is about 0.025). It does NOT yet reach the character-trigram
    // overlap baseline (R@1 0.388), which is why the hybrid keeps BM25; this test fails if the embedder regresses
    // to the previous checkpoint's level (R@1 0.103, MRR@10 0.192).
    expect(ours.r1).toBeGreaterThanOrEqual(20 * random);
    expect(ours.mrr10).toBeGreaterThan(0.25);
  });

  it('reports (does not assert) R@1 / MRR@10 on the PubMedQA retrieval task when the shared data is present', async () => {
    const path = join(__dirname, '../../../../../shared/data/pubmedqa/pqal_dev500.json');
    if (!existsSync(path)) return;
    const rows = Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, { QUESTION: string; CONTEXTS: string[] }>);
    const store = new EmbeddedVectorStore(embedder);
    const docs = rows.flatMap(([pmid, r]) => r.CONTEXTS.map((c, i) => ({ pageContent: c, metadata: { id: `${pmid}:${i}`, pmid } })));
    await store.addDocuments(docs);
    const qv = await embedder.embedDocuments(rows.map(([, r]) => r.QUESTION));
    const hits = await store.similaritySearchVectorsWithScore(qv, 10);
    const ranks = rows.map(([pmid], i) => {
      const at = hits[i]!.findIndex(([d]) => d.metadata.pmid === pmid);
      return at < 0 ? 11 : at + 1;
    });
    console.log(JSON.stringify({ pubmedqa: { questions: rows.length, passages: docs.length, ...summarize(ranks) } }));
  });
});
