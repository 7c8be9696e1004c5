/**
 * The embedded store on disk: a directory with `manifest.json`, `documents.jsonl` and `vectors.f32`, replaced as a
 * unit on save (a crash leaves the complete old or the complete new index) and checked on load.
 *
 * @packageDocumentation
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recoverDirectory, replaceDirectory } from '@quarkmed/model/node';
import { EmbeddedVectorStore } from '../stores/embedded-vector-store';
import { IndexCorruptError } from '../stores/errors';
import { parseManifest, STORE_FILES, type StoreParts } from '../stores/store-format';
import type { DocumentMetadata, Embedder } from '../types';

/**
 * Saves the store into `dir`, replacing what was there as a unit.
 *
 * @param store - the store
 * @param dir - the index directory (created with its parents if needed)
 */
export async function saveVectorStore(store: EmbeddedVectorStore<DocumentMetadata>, dir: string): Promise<void> {
  const parts = store.toParts();
  await replaceDirectory(dir, async (staging) => {
    await writeFile(join(staging, STORE_FILES.documents), parts.documents);
    await writeFile(join(staging, STORE_FILES.vectors), parts.vectors);
    await writeFile(join(staging, STORE_FILES.manifest), `${JSON.stringify(parts.manifest, null, 2)}\n`);
  });
}

async function readPart(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new IndexCorruptError(path, code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (error as Error).message})`, { cause: error });
  }
}

/**
 * Reads and checks the parts of an index directory (recovering an interrupted save first).
 *
 * @throws {@link index.IndexCorruptError | IndexCorruptError} naming the file for a missing, truncated or altered file
 */
export async function readVectorStoreParts(dir: string): Promise<StoreParts> {
  await recoverDirectory(dir);
  const mPath = join(dir, STORE_FILES.manifest);
  const mBytes = await readPart(mPath);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(mBytes));
  } catch (error) {
    throw new IndexCorruptError(mPath, 'is not valid JSON', { cause: error });
  }
  const manifest = parseManifest(raw, mPath);
  return { manifest, documents: await readPart(join(dir, STORE_FILES.documents)), vectors: await readPart(join(dir, STORE_FILES.vectors)) };
}

/**
 * Loads an index directory written by {@link saveVectorStore}.
 *
 * @throws {@link index.IndexCorruptError | IndexCorruptError} naming the file; {@link index.DimensionMismatchError | DimensionMismatchError} when the embedder's dimension is
 *   not the index's
 */
export async function loadVectorStore<M extends DocumentMetadata = DocumentMetadata>(dir: string, embedder: Embedder): Promise<EmbeddedVectorStore<M>> {
  const parts = await readVectorStoreParts(dir);
  return EmbeddedVectorStore.fromParts<M>(parts, embedder, { documents: join(dir, STORE_FILES.documents), vectors: join(dir, STORE_FILES.vectors) });
}

/**
 * Replaces the content of an existing store with an index directory; on any error the store keeps its content.
 *
 * @throws as {@link loadVectorStore}
 */
export async function reloadVectorStore<M extends DocumentMetadata>(store: EmbeddedVectorStore<M>, dir: string): Promise<void> {
  const loaded = await loadVectorStore<M>(dir, store.embedder);
  store.replaceContent(loaded.toContent());
}
