/**
 * Node file helpers of the tokenizer (loaded lazily so the rest of the module runs in browsers).
 *
 * @packageDocumentation
 */
import { TokenizerError, TokenizerJsonError } from './errors';

let tmpCounter = 0;

/** Writes `text` to `path` atomically: a temp file in the same folder, then rename over `path`. */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const fs = await import('node:fs/promises');
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}-${tmpCounter++}`;
  try {
    await fs.writeFile(tmp, text, 'utf8');
    await fs.rename(tmp, path);
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Reads and parses a JSON file.
 * @param what name used in errors (e.g. `tokenizer.json`).
 * @param optional return undefined instead of throwing when the file does not exist.
 * @throws TokenizerJsonError when the file is not valid JSON; TokenizerError when it cannot be read.
 */
export async function readJsonFile(path: string, what: string, optional = false): Promise<unknown> {
  const fs = await import('node:fs/promises');
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if (optional && (error as { code?: string }).code === 'ENOENT') return undefined;
    throw new TokenizerError(`cannot read ${what} at ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TokenizerJsonError('(root)', `${path} is not valid JSON: ${(error as Error).message}`);
  }
}
