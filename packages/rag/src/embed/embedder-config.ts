/**
 * `embedder_config.json`: how a checkpoint directory is used as an embedder (pooling, normalisation, input
 * length), next to the model's `config.json` + `model.safetensors` and the `tokenizer.json`.
 *
 * @packageDocumentation
 */
import { EmbedderError } from './errors';

/** File name of the embedder settings in a checkpoint directory. */
export const EMBEDDER_CONFIG_FILE = 'embedder_config.json';

/** The content of `embedder_config.json`. */
export interface EmbedderConfigJson {
  format: 'quarkmed-embedder';
  version: 1;
  pooling: 'mean';
  normalize: true;
  /** Longest input in tokens. */
  max_length: number;
  /** Free-form provenance (training data, steps, temperature, evaluation). */
  training?: Record<string, unknown>;
}

/**
 * Validates a parsed `embedder_config.json`.
 *
 * @param raw - the parsed JSON
 * @param where - the file, for messages
 * @throws {@link EmbedderError} naming the file and key
 */
export function parseEmbedderConfig(raw: unknown, where: string): EmbedderConfigJson {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new EmbedderError(where, 'must be a JSON object');
  const r = raw as Record<string, unknown>;
  if (r.format !== 'quarkmed-embedder') throw new EmbedderError(`${where}:format`, `must be "quarkmed-embedder", got ${JSON.stringify(r.format)}`);
  if (r.version !== 1) throw new EmbedderError(`${where}:version`, `unsupported version ${JSON.stringify(r.version)} (this release reads 1)`);
  if (r.pooling !== 'mean') throw new EmbedderError(`${where}:pooling`, `unsupported pooling ${JSON.stringify(r.pooling)} (only "mean")`);
  if (r.normalize !== true) throw new EmbedderError(`${where}:normalize`, 'must be true');
  if (typeof r.max_length !== 'number' || !Number.isInteger(r.max_length) || r.max_length < 1) {
    throw new EmbedderError(`${where}:max_length`, `must be a positive integer, got ${JSON.stringify(r.max_length)}`);
  }
  return r as unknown as EmbedderConfigJson;
}
