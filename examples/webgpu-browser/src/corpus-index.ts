/**
 * The retrieval corpus of the chat page: `corpus/corpus.jsonl` (written by `prepare-model` from the repository's
 * shipped, attributed medical text: PubMedQA abstracts, MIT; CMExam explanations, Apache-2.0), cut into chunks
 * that fit the model's small context (`@quarkmed/rag`'s `chunkDocuments`, counted with the model's own tokenizer)
 * and indexed with `@quarkmed/rag`'s `Bm25Index` in the page.
 *
 * @packageDocumentation
 */
import { Bm25Index, chunkDocuments, type Document } from '@quarkmed/rag';
import { AssetFormatError } from './app-error';
import { fetchWithProgress } from './fetch-progress';

/** One line of `corpus.jsonl`. */
export interface CorpusRecord {
  id: string;
  text: string;
  /** Where the text comes from (dataset, record), shown next to a cited passage. */
  source: string;
  /** A short title (the record's first words). */
  title: string;
  language: 'en' | 'zh';
  /** The licence of the text (`MIT`, `Apache-2.0`). */
  license: string;
}

/** The index and what went into it. */
export interface CorpusIndex {
  index: Bm25Index;
  records: number;
  /** Chunks indexed. */
  chunks: number;
  /** Chunks left out because they have no index term (only numbers in brackets, stop words or punctuation). */
  skipped: number;
}

/**
 * Parses `corpus.jsonl`.
 *
 * @throws {@link AssetFormatError} naming the line and the field
 */
export function parseCorpus(text: string, file: string): CorpusRecord[] {
  const out: CorpusRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `line ${i + 1}`;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      throw new AssetFormatError(file, where, `not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const key of ['id', 'text', 'source', 'title', 'license'] as const) {
      if (typeof v[key] !== 'string' || (v[key] as string).trim() === '') throw new AssetFormatError(file, `${where}.${key}`, 'must be a non-empty string');
    }
    if (v['language'] !== 'en' && v['language'] !== 'zh') throw new AssetFormatError(file, `${where}.language`, `must be "en" or "zh", got ${JSON.stringify(v['language'])}`);
    out.push(v as unknown as CorpusRecord);
  });
  if (out.length === 0) throw new AssetFormatError(file, '(root)', 'has no records');
  return out;
}

/** Chunks the records (at most `maxTokens` tokens of `tokenizer` each) and indexes them with BM25. */
export function indexCorpus(records: readonly CorpusRecord[], tokenizer: { encode(text: string): number[] }, maxTokens: number): CorpusIndex {
  const docs: Document[] = records.map((r) => ({
    pageContent: r.text,
    metadata: { id: r.id, source: r.source, title: r.title, language: r.language, license: r.license },
  }));
  const index = new Bm25Index();
  const all = chunkDocuments(docs, { tokenizer, maxTokens });
  const chunks = all.filter((c) => index.analyzer.analyze(c.pageContent).length > 0);
  index.addDocuments(chunks);
  return { index, records: records.length, chunks: chunks.length, skipped: all.length - chunks.length };
}

/** Downloads `corpus.jsonl` from `url` and indexes it (see {@link indexCorpus}). */
export async function loadCorpusIndex(url: string, tokenizer: { encode(text: string): number[] }, maxTokens: number): Promise<CorpusIndex> {
  const bytes = await fetchWithProgress(url);
  return indexCorpus(parseCorpus(new TextDecoder().decode(bytes), url), tokenizer, maxTokens);
}
