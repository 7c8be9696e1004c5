/**
 * A tiny checkpoint for protocol tests: a byte-level BPE trained on 40 shipped PubMedQA abstracts (vocab 384) and a
 * 2-layer Llama with random weights (seeded). Nothing is trained; the tests check the protocol, not the answers.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { LlamaModel, trainBpe, type BpeTokenizer } from '@quarkmed/model';
import { saveCheckpoint, saveTokenizer } from '@quarkmed/model/node';
import { initBackend } from '@quarkmed/tensor-kernels';

const CORPUS = new URL('../../../../data/medical-text/pubmedqa-abstracts.en.txt', import.meta.url);

/** Starts the cpu backend quietly. */
export async function useCpu(): Promise<void> {
  await initBackend('cpu', { log: false });
  await tf.ready();
}

/** The tokenizer and the random model, in memory. */
export async function tinyModel(seed = 7): Promise<{ model: LlamaModel; tokenizer: BpeTokenizer }> {
  const text = await readFile(CORPUS, 'utf8');
  const tokenizer = trainBpe(text.split('\n').slice(0, 40), { vocabSize: 384 });
  const model = new LlamaModel(
    { vocabSize: tokenizer.vocabSize, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 64, maxSeqLen: 512 },
    { seed },
  );
  return { model, tokenizer };
}

/** Saves the tiny model and tokenizer into a fresh temporary directory and returns it. */
export async function tinyCheckpointDir(seed = 7): Promise<string> {
  const { model, tokenizer } = await tinyModel(seed);
  const dir = await mkdtemp(join(tmpdir(), 'quarkmed-serve-'));
  await saveCheckpoint(dir, model);
  await saveTokenizer(tokenizer, dir);
  model.dispose();
  return dir;
}
