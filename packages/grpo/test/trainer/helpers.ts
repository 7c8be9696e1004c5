/**
 * Tiny policies and a character tokenizer for the trainer tests (cpu backend).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';
import { BpeTokenizer, LlamaModel, type LlamaConfig } from '@quarkmed/model';

export async function useCpu(): Promise<void> {
  await initBackend('cpu', { log: false });
  await tf.ready();
}

/** Characters of the tokenizer: ids 0..n-1, then `<eos>` and `<pad>`. */
export const CHARS = 'abcdefghijklmnopqrstuvwxyzABCD{}":?';
export const EOS_ID = CHARS.length;
export const PAD_ID = CHARS.length + 1;
export const VOCAB = CHARS.length + 2;

/** A byte-level BPE tokenizer with no merges: one token per character. */
export function charTokenizer(): BpeTokenizer {
  const vocab: Record<string, number> = {};
  [...CHARS].forEach((c, i) => (vocab[c] = i));
  return new BpeTokenizer({
    vocab,
    merges: [],
    addedTokens: [
      { id: EOS_ID, content: '<eos>', special: true },
      { id: PAD_ID, content: '<pad>', special: true },
    ],
    eosToken: '<eos>',
    padToken: '<pad>',
  });
}

export function tinyPolicy(overrides: Partial<LlamaConfig> = {}, seed = 1): LlamaModel {
  return new LlamaModel(
    { vocabSize: VOCAB, hiddenSize: 16, numLayers: 1, numHeads: 2, numKvHeads: 1, intermediateSize: 32, maxSeqLen: 64, eosTokenId: EOS_ID, padTokenId: PAD_ID, ...overrides },
    { seed },
  );
}

export async function weightsOf(model: LlamaModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of model.weights) out.set(k, (await v.data()) as Float32Array);
  return out;
}

export function maxDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let m = 0;
  for (const [k, x] of a) {
    const y = b.get(k)!;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  }
  return m;
}
