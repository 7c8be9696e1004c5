/**
 * The built-in embedder on disk: save a {@link ModelEmbedder} as a checkpoint directory (replaced as a unit) and load
 * it back, plus the location of the checkpoint shipped with the package.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceDirectory, writeCheckpointFiles } from '@quarkmed/model/node';
import { EMBEDDER_CONFIG_FILE, type EmbedderConfigJson } from '../embed/embedder-config';
import { EmbedderError } from '../embed/errors';
import { loadEmbedder, type LoadEmbedderOptions } from '../embed/load-embedder';
import type { ModelEmbedder } from '../embed/model-embedder';

/** Name of the checkpoint shipped in `packages/rag/models/`. */
export const DEFAULT_EMBEDDER_NAME = 'quarkmed-embed-mini';

declare const __dirname: string | undefined;

/**
 * The directory of the embedder checkpoint shipped with the package (`models/quarkmed-embed-mini`), found from the
 * sources (`src/node/`) or the bundle (`dist/node/`).
 *
 * @throws {@link index.EmbedderError | EmbedderError} naming the folders looked in when it is not there
 */
export function defaultEmbedderDir(): string {
  const dirs: string[] = [];
  try {
    for (const rel of [`../../models/${DEFAULT_EMBEDDER_NAME}`, `../models/${DEFAULT_EMBEDDER_NAME}`]) dirs.push(fileURLToPath(new URL(rel, import.meta.url)));
  } catch {
    // CommonJS bundle: no import.meta.url
  }
  if (typeof __dirname === 'string') dirs.push(join(__dirname, '../../models', DEFAULT_EMBEDDER_NAME), join(__dirname, '../models', DEFAULT_EMBEDDER_NAME));
  for (const d of dirs) if (existsSync(join(d, EMBEDDER_CONFIG_FILE))) return d;
  throw new EmbedderError(DEFAULT_EMBEDDER_NAME, `the shipped embedder checkpoint was not found (looked in ${dirs.join(', ')})`);
}

/**
 * Loads an embedder checkpoint directory (`config.json`, `model.safetensors`, `tokenizer.json`,
 * `embedder_config.json`).
 *
 * @throws as `loadEmbedder`, with file paths in the messages
 */
export async function loadEmbedderFromDirectory(dir: string, options: LoadEmbedderOptions = {}): Promise<ModelEmbedder> {
  return loadEmbedder(async (name: string) => {
    const p = join(dir, name);
    if (!existsSync(p)) return undefined;
    return name.endsWith('.json') ? await readFile(p, 'utf8') : new Uint8Array(await readFile(p));
  }, options);
}

/** Loads the embedder shipped with the package (see {@link defaultEmbedderDir}). */
export function loadDefaultEmbedder(options: LoadEmbedderOptions = {}): Promise<ModelEmbedder> {
  return loadEmbedderFromDirectory(defaultEmbedderDir(), options);
}

/**
 * Saves an embedder as a checkpoint directory, replacing `dir` as a unit (a crash leaves the old or the new
 * checkpoint, never a mix): `model.safetensors` + `config.json` (Hugging Face Llama names), `tokenizer.json` +
 * `tokenizer_config.json`, `embedder_config.json`.
 *
 * @param dir - the directory (created if needed)
 * @param embedder - the embedder
 * @param training - provenance stored under `training` in `embedder_config.json`
 */
export async function saveEmbedder(dir: string, embedder: ModelEmbedder, training?: Record<string, unknown>): Promise<void> {
  const config: EmbedderConfigJson = { format: 'quarkmed-embedder', version: 1, pooling: 'mean', normalize: true, max_length: embedder.maxLength, ...(training ? { training } : {}) };
  await replaceDirectory(dir, async (staging) => {
    await writeCheckpointFiles(staging, embedder.model);
    await writeFile(join(staging, 'tokenizer.json'), JSON.stringify(embedder.tokenizer.toJSON()));
    await writeFile(join(staging, 'tokenizer_config.json'), JSON.stringify(embedder.tokenizer.toTokenizerConfig(), null, 2));
    await writeFile(join(staging, EMBEDDER_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  });
}
