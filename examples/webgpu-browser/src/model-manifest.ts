/**
 * `model/manifest.json`: what `prepare-model` copied into the app's `public/model/` (the run and stage the checkpoint
 * came from, and every file with its size), so the page knows which files to fetch and how many bytes to expect
 * before the first byte arrives.
 *
 * @packageDocumentation
 */
import { AssetFormatError } from './app-error';

/** One file of the checkpoint. */
export interface ModelManifestFile {
  /** File name inside `model/` (`config.json`, `model.safetensors`, shards, `tokenizer.json`, ...). */
  name: string;
  /** Size in bytes. */
  bytes: number;
}

/** The manifest `prepare-model` writes. */
export interface ModelManifest {
  format: 'quarkmed-browser-model';
  version: 1;
  /** The recipe run directory the checkpoint was copied from (as given to prepare-model). */
  run: string;
  /** The model stage of that run (`rl2` for a complete recipe). */
  stage: string;
  /** Files, the weights last. */
  files: ModelManifestFile[];
}

/** The file names the app needs besides the weights. */
export const REQUIRED_MODEL_FILES = ['config.json', 'tokenizer.json'] as const;

/**
 * Validates a parsed `manifest.json`.
 *
 * @param file - how the file is named in errors (its URL)
 * @throws {@link AssetFormatError} naming the field that is missing or wrong
 */
export function parseModelManifest(value: unknown, file: string): ModelManifest {
  if (value === null || typeof value !== 'object') throw new AssetFormatError(file, '(root)', 'must be a JSON object');
  const v = value as Record<string, unknown>;
  if (v['format'] !== 'quarkmed-browser-model') throw new AssetFormatError(file, 'format', `must be "quarkmed-browser-model", got ${JSON.stringify(v['format'])}`);
  if (v['version'] !== 1) throw new AssetFormatError(file, 'version', `must be 1, got ${JSON.stringify(v['version'])}`);
  for (const key of ['run', 'stage'] as const) {
    if (typeof v[key] !== 'string' || v[key] === '') throw new AssetFormatError(file, key, 'must be a non-empty string');
  }
  if (!Array.isArray(v['files'])) throw new AssetFormatError(file, 'files', 'must be an array');
  const files = (v['files'] as unknown[]).map((f, i) => {
    const o = (f ?? {}) as Record<string, unknown>;
    if (typeof o['name'] !== 'string' || !/^[\w.-]+$/.test(o['name'])) throw new AssetFormatError(file, `files[${i}].name`, 'must be a plain file name');
    if (typeof o['bytes'] !== 'number' || !Number.isInteger(o['bytes']) || o['bytes'] < 0) throw new AssetFormatError(file, `files[${i}].bytes`, 'must be a non-negative integer');
    return { name: o['name'], bytes: o['bytes'] };
  });
  const names = new Set(files.map((f) => f.name));
  for (const need of REQUIRED_MODEL_FILES) {
    if (!names.has(need)) throw new AssetFormatError(file, 'files', `lists no ${need}`);
  }
  if (!names.has('model.safetensors') && !names.has('model.safetensors.index.json')) {
    throw new AssetFormatError(file, 'files', 'lists neither model.safetensors nor model.safetensors.index.json');
  }
  return { format: 'quarkmed-browser-model', version: 1, run: v['run'] as string, stage: v['stage'] as string, files };
}
