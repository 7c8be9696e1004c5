import * as tf from '@tensorflow/tfjs-core';
import { LlamaModel, serializeCheckpoint, trainBpe } from '@quarkmed/model';
import { initBackend } from '@quarkmed/tensor-kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { AssetFetchError, AssetFormatError } from '../src/app-error';
import { loadCheckpointFromUrl, type CheckpointProgress } from '../src/checkpoint-loader';
import type { ModelManifest } from '../src/model-manifest';

const BASE = 'http://app.test/model/';

/** A fetch serving `files` under BASE with Content-Length, 404 otherwise. */
function serve(files: Map<string, Uint8Array>): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const url = String(input);
    const body = url.startsWith(BASE) ? files.get(url.slice(BASE.length)) : undefined;
    if (body === undefined) return new Response(null, { status: 404, statusText: 'Not Found' });
    return new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-length': String(body.byteLength) } });
  }) as unknown as typeof fetch;
}

describe('loadCheckpointFromUrl', () => {
  let files: Map<string, Uint8Array>;
  let model: LlamaModel;
  let manifest: ModelManifest;

  beforeAll(async () => {
    await initBackend('cpu', { log: false });
    const tokenizer = trainBpe(['Acute appendicitis in elderly patients with elevated C-reactive protein.', 'Metformin lowers glucose.'], { vocabSize: 300 });
    model = new LlamaModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 16, numLayers: 1, numHeads: 2, numKvHeads: 1, intermediateSize: 32, maxSeqLen: 32 }, { seed: 3 });
    files = await serializeCheckpoint(model);
    const enc = new TextEncoder();
    files.set('tokenizer.json', enc.encode(JSON.stringify(tokenizer.toJSON())));
    files.set('tokenizer_config.json', enc.encode(JSON.stringify(tokenizer.toTokenizerConfig())));
    manifest = {
      format: 'quarkmed-browser-model',
      version: 1,
      run: 'runs/test',
      stage: 'rl2',
      files: ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'].map((name) => ({ name, bytes: files.get(name)!.byteLength })),
    };
    files.set('manifest.json', enc.encode(JSON.stringify(manifest)));
  });

  it('downloads every file with progress up to the total and loads the same model and tokenizer', async () => {
    const seen: CheckpointProgress[] = [];
    const loaded = await loadCheckpointFromUrl(BASE, { fetch: serve(files), onProgress: (p) => seen.push(p) });
    const total = manifest.files.reduce((a, f) => a + f.bytes, 0);
    expect(loaded.bytes).toBe(total);
    expect(seen.at(-1)).toEqual({ file: 'model.safetensors', loaded: total, total });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.loaded).toBeGreaterThanOrEqual(seen[i - 1]!.loaded);
    expect(loaded.manifest).toEqual(manifest);
    const ids = loaded.tokenizer.encode('Acute appendicitis');
    expect(loaded.tokenizer.decode(ids)).toBe('Acute appendicitis');
    const input = tf.tensor2d([ids], [1, ids.length], 'int32');
    const a = await model.forward(input).logits.data();
    const b = await loaded.model.forward(input).logits.data();
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('fails naming the file: a size that differs from the manifest, a missing file, a bad manifest', async () => {
    const short = new Map(files);
    short.set('tokenizer.json', files.get('tokenizer.json')!.subarray(1));
    await expect(loadCheckpointFromUrl(BASE, { fetch: serve(short) })).rejects.toThrow(/tokenizer\.json: received \d+ bytes, the manifest says \d+$/);
    const missing = new Map(files);
    missing.delete('model.safetensors');
    const e = await loadCheckpointFromUrl(BASE, { fetch: serve(missing) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AssetFetchError);
    expect((e as AssetFetchError).url).toBe(`${BASE}model.safetensors`);
    expect((e as AssetFetchError).status).toBe(404);
    const bad = new Map(files);
    bad.set('manifest.json', new TextEncoder().encode(JSON.stringify({ ...manifest, files: manifest.files.filter((f) => f.name !== 'tokenizer.json') })));
    const f = await loadCheckpointFromUrl(BASE, { fetch: serve(bad) }).catch((x: unknown) => x);
    expect(f).toBeInstanceOf(AssetFormatError);
    expect((f as AssetFormatError).field).toBe('files');
    expect((f as Error).message).toBe(`${BASE}manifest.json: files: lists no tokenizer.json`);
  });
});
