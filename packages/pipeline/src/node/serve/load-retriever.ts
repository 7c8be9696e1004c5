/**
 * A retriever for `quarkmed serve --bm25 FILE --store DIR`: BM25 alone, dense alone, or both fused (rag's
 * `HybridRetriever`).
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { Bm25Index, Bm25Retriever, HybridRetriever, type Retriever } from '@quarkmed/rag';
import { loadDefaultEmbedder, loadEmbedderFromDirectory, loadVectorStore } from '@quarkmed/rag/node';
import { ServeOptionError } from './serve-errors';

/** Where the retrieval index lives. */
export interface RetrieverFiles {
  /** A BM25 index file written from `Bm25Index.toBytes()`. */
  bm25File?: string;
  /** A vector store directory written by `saveVectorStore`. */
  storeDir?: string;
  /** The embedder of the store (default: rag's shipped default embedder). */
  embedderDir?: string;
  /** Passages per question. Default 4. */
  k?: number;
}

/**
 * Loads the index files into a retriever.
 *
 * @throws {@link ServeOptionError} when neither file is given; rag's `SparseIndexFormatError` / `IndexCorruptError`
 *   naming a bad file
 */
export async function loadRetriever(files: RetrieverFiles): Promise<Retriever> {
  const k = files.k ?? 4;
  if (!files.bm25File && !files.storeDir) throw new ServeOptionError('--bm25/--store', 'retrieval needs a BM25 index file or a vector store directory');
  if (files.embedderDir && !files.storeDir) throw new ServeOptionError('--embedder', 'only applies with --store');
  const sparse = files.bm25File ? Bm25Index.fromBytes(new Uint8Array(await readFile(files.bm25File))) : undefined;
  if (!files.storeDir) return new Bm25Retriever(sparse!, { k });
  const embedder = files.embedderDir ? await loadEmbedderFromDirectory(files.embedderDir) : await loadDefaultEmbedder();
  const dense = await loadVectorStore(files.storeDir, embedder);
  return new HybridRetriever({ ...(sparse ? { sparse } : {}), dense, k });
}
