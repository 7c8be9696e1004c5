/**
 * Loading any standard Hugging Face tokenizer from its `tokenizer.json` (+ `tokenizer_config.json`): the fast
 * BPE engine when it reproduces the file exactly, `@huggingface/tokenizers` otherwise.
 *
 * @packageDocumentation
 */
import { BpeTokenizer } from './bpe-tokenizer';
import { FastPathUnsupportedError, TokenizerJsonError, TokenizerOptionError } from './errors';
import { HfLibraryTokenizer } from './hf-library-tokenizer';
import type { Tokenizer } from './tokenizer';

/** Options of {@link tokenizerFromJSON}. */
export interface TokenizerFromJsonOptions {
  /**
   * `'auto'` (default): the fast engine when the file is in its family, else the library; `'fast'`: the fast engine
   * or a `FastPathUnsupportedError`; `'library'`: always `@huggingface/tokenizers`.
   */
  engine?: 'auto' | 'fast' | 'library';
}

function parse(value: unknown, what: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new TokenizerJsonError(what === 'tokenizer.json' ? '(root)' : 'tokenizer_config', `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * A {@link Tokenizer} for a `tokenizer.json` (object or JSON text) and an optional `tokenizer_config.json`
 * (object or JSON text): a `BpeTokenizer` for GPT-2 / Llama 3 / GPT-4o / Qwen style byte-level BPE, an
 * `HfLibraryTokenizer` for the rest (e.g. Llama 2's SentencePiece BPE).
 * @throws TokenizerJsonError naming the bad or unknown field.
 */
export function tokenizerFromJSON(json: unknown, config?: unknown, options: TokenizerFromJsonOptions = {}): Tokenizer {
  const engine = options.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'fast' && engine !== 'library') {
    throw new TokenizerOptionError('options.engine', `must be 'auto', 'fast' or 'library', got ${JSON.stringify(engine)}`);
  }
  const j = parse(json, 'tokenizer.json');
  const c = parse(config, 'tokenizer_config.json');
  if (engine === 'library') return new HfLibraryTokenizer(j, c);
  try {
    return BpeTokenizer.fromJSON(j, c);
  } catch (error) {
    if (engine === 'auto' && error instanceof FastPathUnsupportedError) return new HfLibraryTokenizer(j, c);
    throw error;
  }
}
