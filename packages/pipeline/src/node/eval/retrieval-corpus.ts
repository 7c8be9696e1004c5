/**
 * A retrieval corpus from a file, for `quarkmed eval --retrieval`: JSON / JSON Lines documents
 * (`{"pageContent" | "text": "...", "metadata"?: {...}, "id"?: "..."}`) indexed with `@quarkmed/rag`'s BM25.
 *
 * @packageDocumentation
 */
import { Bm25Index, Bm25Retriever, type Document } from '@quarkmed/rag';
import { readJsonRecords } from '../../eval/json-records';
import { RecordReader } from '../../eval/record-reader';
import { readTextInput } from '../../eval/text-input';
import { readBenchmarkBytes } from './benchmark-file';

/**
 * Reads the documents of a corpus file.
 *
 * @throws {@link index.EvalDataError | EvalDataError} with the path and line for a record without text or with a bad `metadata`.
 */
export async function readCorpusFile(path: string): Promise<Document[]> {
  const text = readTextInput(await readBenchmarkBytes(path), path);
  return readJsonRecords(text, path).map(({ value, line, key }) => {
    const r = new RecordReader(value, path, line);
    const pageContent = r.text(['pageContent', 'text', 'content']);
    const meta = value.metadata ?? {};
    if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw r.error('must be an object', 'metadata');
    const id = r.optionalText(['id']) ?? (meta as { id?: unknown }).id ?? key ?? `${path}#${line}`;
    return { pageContent, metadata: { ...(meta as Record<string, unknown>), id: String(id) } };
  });
}

/** A BM25 retriever over a corpus file, returning the `k` best passages. */
export async function loadCorpusRetriever(path: string, k = 4): Promise<Bm25Retriever> {
  const index = new Bm25Index();
  index.addDocuments(await readCorpusFile(path));
  return new Bm25Retriever(index, { k });
}
