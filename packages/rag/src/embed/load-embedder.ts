/**
 * Loads a {@link ModelEmbedder} from checkpoint files held in memory or fetched (browser-safe): `config.json`,
 * `model.safetensors`, `tokenizer.json` (+ optional `tokenizer_config.json`) and `embedder_config.json`.
 *
 * @packageDocumentation
 */
import { checkpointSource, loadCheckpointFromSource, tokenizerFromJSON, type CheckpointFiles } from '@quarkmed/model';
import { EMBEDDER_CONFIG_FILE, parseEmbedderConfig } from './embedder-config';
import { EmbedderError } from './errors';
import { ModelEmbedder, type ModelEmbedderOptions } from './model-embedder';

function urlFiles(base: string, fetchImpl: typeof fetch): CheckpointFiles {
  const root = base.endsWith('/') ? base : `${base}/`;
  return async (name: string) => {
    const r = await fetchImpl(new URL(name, root).toString());
    if (r.status === 404) return undefined;
    if (!r.ok) throw new EmbedderError(`${root}${name}`, `HTTP ${r.status}`);
    return name.endsWith('.json') ? await r.text() : new Uint8Array(await r.arrayBuffer());
  };
}

/** Options of {@link loadEmbedder}. */
export interface LoadEmbedderOptions extends ModelEmbedderOptions {
  /** `fetch` used for a URL (default: the global one). */
  fetch?: typeof fetch;
}

/**
 * Loads the built-in embedder from its checkpoint files: an object or `Map` of file name → content, a function
 * returning a file (or undefined), or the base URL of a directory that holds them (fetched).
 *
 * @example In the browser:
 * ```ts
 * const embedder = await loadEmbedder('/models/quarkmed-embed-mini/');
 * ```
 * @param files - the checkpoint's files or its base URL
 * @param options - see {@link LoadEmbedderOptions} (`maxLength` defaults to the file's `max_length`)
 * @throws `CheckpointError` (from `@quarkmed/model`) for bad weights or config; {@link EmbedderError} for a missing or
 *   invalid `embedder_config.json` or `tokenizer.json`
 */
export async function loadEmbedder(files: CheckpointFiles | string, options: LoadEmbedderOptions = {}): Promise<ModelEmbedder> {
  const f = typeof files === 'string' ? urlFiles(files, options.fetch ?? globalThis.fetch) : files;
  const source = checkpointSource(f, typeof files === 'string' ? files : 'files');
  const readJson = async (name: string, optional: boolean): Promise<unknown> => {
    if (!(await source.exists(name))) {
      if (optional) return undefined;
      throw new EmbedderError(source.describe(name), 'is missing');
    }
    const text = await source.readText(name);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new EmbedderError(source.describe(name), `is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  };
  const cfg = parseEmbedderConfig(await readJson(EMBEDDER_CONFIG_FILE, false), source.describe(EMBEDDER_CONFIG_FILE));
  const tokJson = await readJson('tokenizer.json', false);
  const tokConfig = await readJson('tokenizer_config.json', true);
  let tokenizer;
  try {
    tokenizer = tokenizerFromJSON(tokJson, tokConfig);
  } catch (error) {
    throw new EmbedderError(source.describe('tokenizer.json'), `cannot be read: ${(error as Error).message}`, { cause: error });
  }
  const model = await loadCheckpointFromSource(source);
  try {
    return new ModelEmbedder(model, tokenizer, { maxLength: Math.min(cfg.max_length, model.config.maxSeqLen), ...options });
  } catch (error) {
    model.dispose();
    throw error;
  }
}
