/**
 * Tiny models and a letter tokenizer for the generation tests (cpu backend).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';
import type { LlamaConfig } from '../../src/config';
import { LlamaModel } from '../../src/decoder/llama';
import { BpeTokenizer } from '../../src/tokenizer/bpe-tokenizer';

/** Starts the cpu backend (with the fused kernels) quietly. */
export async function useCpu(): Promise<void> {
  await initBackend('cpu', { log: false });
  await tf.ready();
}

/** Letters a..z (ids 0-25), space (26), then `<eos>` (27) and `<pad>` (28): every id decodes to clean ASCII. */
export const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
export const EOS_ID = 27;
export const PAD_ID = 28;
export const VOCAB = 29;

/** A byte-level BPE tokenizer over the letters and space, with no merges (one token per character). */
export function letterTokenizer(): BpeTokenizer {
  const vocab: Record<string, number> = {};
  [...LETTERS].forEach((c, i) => (vocab[c] = i));
  vocab['Ġ'] = 26; // byte-level symbol of ' '
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

/**
 * A tiny random decoder with peaked output distributions (large init std), so greedy choices are far from
 * ties and float32 differences between code paths cannot flip them.
 */
export function tinyModel(overrides: Partial<LlamaConfig> = {}, seed = 1): LlamaModel {
  return new LlamaModel(
    {
      vocabSize: VOCAB,
      hiddenSize: 16,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 2,
      intermediateSize: 32,
      maxSeqLen: 64,
      initStd: 0.5,
      ...overrides,
    },
    { seed },
  );
}
