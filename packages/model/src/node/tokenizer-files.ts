/**
 * Tokenizer file I/O (Node only): a tokenizer folder holds `tokenizer.json` and optionally
 * `tokenizer_config.json`, as Hugging Face writes them.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-dir';
import { TokenizerError, TokenizerJsonError } from '../tokenizer/errors';
import type { Tokenizer } from '../tokenizer/tokenizer';
import { tokenizerFromJSON, type TokenizerFromJsonOptions } from '../tokenizer/tokenizer-from-json';

/** Writes `text` to `path` atomically (see {@link writeFileAtomic}); a failure is a {@link TokenizerError} naming the file. */
async function writeTokenizerFile(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path, text);
  } catch (error) {
    throw new TokenizerError(`cannot write ${path}: ${(error as Error).message}`);
  }
}

/**
 * Reads and parses a JSON file.
 * @param what - name used in errors (e.g. `tokenizer.json`)
 * @param optional - return undefined instead of throwing when the file does not exist
 * @throws TokenizerJsonError when the file is not valid JSON (naming the file); TokenizerError when it cannot be read.
 */
export async function readJsonFile(path: string, what: string, optional = false): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (optional && (error as { code?: string }).code === 'ENOENT') return undefined;
    throw new TokenizerError(`cannot read ${what} at ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TokenizerJsonError(what === 'tokenizer.json' ? '(root)' : 'tokenizer_config', `${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Loads the tokenizer in folder `dir`: `dir/tokenizer.json` and, when present, `dir/tokenizer_config.json`
 * (see `tokenizerFromJSON` for which engine serves it).
 * @throws TokenizerError when `tokenizer.json` cannot be read; TokenizerJsonError naming the file or field.
 */
export async function loadTokenizer(dir: string, options: TokenizerFromJsonOptions = {}): Promise<Tokenizer> {
  const json = await readJsonFile(join(dir, 'tokenizer.json'), 'tokenizer.json');
  const config = await readJsonFile(join(dir, 'tokenizer_config.json'), 'tokenizer_config.json', true);
  return tokenizerFromJSON(json, config, options);
}

/**
 * Writes `dir/tokenizer.json` and `dir/tokenizer_config.json` (the folder must exist), each atomically.
 * The files load back with {@link loadTokenizer}, `transformers` and `@huggingface/tokenizers`.
 */
export async function saveTokenizer(tokenizer: Tokenizer, dir: string): Promise<void> {
  await writeTokenizerFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.toJSON(), null, 2));
  await writeTokenizerFile(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizer.toTokenizerConfig(), null, 2));
}
