/**
 * Loads the recipe checkpoint that `prepare-model` put under `model/`: reads `manifest.json`, downloads every file
 * with progress (bytes received against the manifest's total), then builds the model with `@quarkmed/model`'s
 * browser loader (`loadCheckpointFromFiles`) and the tokenizer from `tokenizer.json` (`tokenizerFromJSON`).
 *
 * @packageDocumentation
 */
import { loadCheckpointFromFiles, tokenizerFromJSON, type LlamaModel, type Tokenizer } from '@quarkmed/model';
import { AssetFetchError, AssetFormatError } from './app-error';
import { fetchWithProgress } from './fetch-progress';
import { parseModelManifest, type ModelManifest } from './model-manifest';

/** Progress of the whole checkpoint download. */
export interface CheckpointProgress {
  /** The file being downloaded. */
  file: string;
  /** Bytes received over all files. */
  loaded: number;
  /** Bytes of all files, from the manifest. */
  total: number;
}

/** A loaded checkpoint. */
export interface LoadedCheckpoint {
  model: LlamaModel;
  tokenizer: Tokenizer;
  manifest: ModelManifest;
  /** Bytes downloaded. */
  bytes: number;
}

/**
 * Downloads and loads the checkpoint under `baseUrl` (a folder URL ending in `/`).
 *
 * @throws {@link AssetFetchError} for a missing file or a size that differs from the manifest;
 *   {@link AssetFormatError} for a bad manifest or JSON file; the model package's `CheckpointError` /
 *   `TokenizerJsonError` for bad weights or tokenizer
 */
export async function loadCheckpointFromUrl(
  baseUrl: string,
  options: { onProgress?: (p: CheckpointProgress) => void; signal?: AbortSignal; fetch?: typeof fetch } = {},
): Promise<LoadedCheckpoint> {
  const manifestUrl = new URL('manifest.json', baseUrl).href;
  let manifestBytes: Uint8Array;
  try {
    manifestBytes = await fetchWithProgress(manifestUrl, { ...pass(options) });
  } catch (error) {
    if (error instanceof AssetFetchError && error.status === 404) {
      throw new AssetFetchError(manifestUrl, 404, `HTTP 404: no checkpoint here; run \`pnpm --filter @quarkmed/example-webgpu-browser prepare-model\` first`, { cause: error });
    }
    throw error;
  }
  const manifest = parseModelManifest(parseJson(manifestBytes, manifestUrl), manifestUrl);
  const total = manifest.files.reduce((a, f) => a + f.bytes, 0);
  const files: Record<string, Uint8Array> = {};
  let done = 0;
  for (const f of manifest.files) {
    const url = new URL(f.name, baseUrl).href;
    const bytes = await fetchWithProgress(url, {
      ...pass(options),
      onProgress: (p) => options.onProgress?.({ file: f.name, loaded: done + p.loaded, total }),
    });
    if (bytes.byteLength !== f.bytes) throw new AssetFetchError(url, 200, `received ${bytes.byteLength} bytes, the manifest says ${f.bytes}`);
    files[f.name] = bytes;
    done += bytes.byteLength;
  }
  const tokenizerUrl = new URL('tokenizer.json', baseUrl).href;
  const tokenizerJson = parseJson(files['tokenizer.json']!, tokenizerUrl);
  const configBytes = files['tokenizer_config.json'];
  const tokenizerConfig = configBytes === undefined ? undefined : parseJson(configBytes, new URL('tokenizer_config.json', baseUrl).href);
  const tokenizer = tokenizerFromJSON(tokenizerJson, tokenizerConfig);
  const model = await loadCheckpointFromFiles((name) => files[name]);
  return { model, tokenizer, manifest, bytes: done };
}

function pass(options: { signal?: AbortSignal; fetch?: typeof fetch }): { signal?: AbortSignal; fetch?: typeof fetch } {
  return { ...(options.signal ? { signal: options.signal } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) };
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new AssetFormatError(file, '(root)', `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
