/**
 * An in-memory BM25 index over {@link Document}s, with deletes, metadata filters and byte persistence.
 *
 * Score of a document d for query terms q₁…qₙ (Robertson/Spärck Jones BM25 with Lucene's non-negative idf):
 * `Σ idf(qᵢ)·tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl))`, `idf = ln(1 + (N − df + 0.5)/(df + 0.5))`,
 * a term repeated in the query counted once per repetition.
 */
import type { Document, DocumentMetadata, MetadataFilter, ScoredDocument } from '../types';
import { createAnalyzer, type AnalyzerOptions, type TextAnalyzer } from '../analysis/analyzer';
import { checkFilter, matchesFilter } from '../retrieve/metadata-filter';
import { checkInteger, checkNumber, checkText } from '../validation/checks';
import { checkDocument } from '../validation/documents';
import { RagArgumentError } from '../validation/rag-argument-error';
import { decodeBm25, encodeBm25 } from './bm25-format';
import { SparseIndexFormatError } from './sparse-index-format-error';

/** Options of a {@link Bm25Index}. */
export interface Bm25Options {
  /** Term-frequency saturation, ≥ 0. Default 1.2. */
  k1?: number;
  /** Length normalisation in [0, 1]. Default 0.75. */
  b?: number;
  /** Analysis (stop words, stemming, CJK terms); stored with the index. */
  analyzer?: AnalyzerOptions;
}

/** Extra per-search options of {@link Bm25Index.search}. */
export interface Bm25SearchOptions {
  filter?: MetadataFilter;
  /** Any further predicate over metadata (e.g. a compiled freshness filter). */
  where?: (metadata: DocumentMetadata) => boolean;
}

interface Slot {
  id: string;
  doc: Document;
  /** Unique term ids and their frequencies, interleaved. */
  terms: Uint32Array;
  length: number;
}

/** BM25 over analysed text; see the file comment. Ids come from `metadata.id`, `options.ids` or `doc-<n>`. */
export class Bm25Index {
  readonly k1: number;
  readonly b: number;
  readonly analyzer: TextAnalyzer;
  private readonly termIds = new Map<string, number>();
  private readonly termList: string[] = [];
  /** Per term: slot indexes and term frequencies (may hold deleted slots, skipped when scoring). */
  private postingsDoc: number[][] = [];
  private postingsTf: number[][] = [];
  private df: number[] = [];
  private readonly slots: (Slot | undefined)[] = [];
  private readonly slotOf = new Map<string, number>();
  private totalLength = 0;
  private live = 0;
  private nextId = 0;
  private deadPostings = 0;

  /** @throws {@link RagArgumentError} for a bad `k1`, `b` or analyzer option. */
  constructor(options: Bm25Options = {}) {
    this.k1 = checkNumber('options.k1', options.k1 ?? 1.2, 0);
    this.b = checkNumber('options.b', options.b ?? 0.75, 0, 1);
    this.analyzer = createAnalyzer(options.analyzer);
  }

  /** Number of documents in the index. */
  get size(): number {
    return this.live;
  }

  /** The options to rebuild an equal empty index. */
  get options(): Required<Bm25Options> {
    return { k1: this.k1, b: this.b, analyzer: this.analyzer.options };
  }

  /**
   * Adds documents (replacing any with the same id); returns their ids. Checks every document before changing
   * anything, so a bad one leaves the index as it was.
   *
   * @throws {@link RagArgumentError} for an empty `pageContent`, a bad metadata field, text with no index terms,
   * `options.ids` of the wrong length or repeated ids.
   */
  addDocuments(documents: readonly Document[], options: { ids?: readonly string[] } = {}): string[] {
    if (!Array.isArray(documents)) throw new RagArgumentError('documents', 'must be an array');
    if (options.ids !== undefined && options.ids.length !== documents.length) {
      throw new RagArgumentError('options.ids', `has ${options.ids.length} ids for ${documents.length} documents`);
    }
    const prepared = documents.map((d, i) => {
      const doc = checkDocument(`documents[${i}]`, d);
      const id = options.ids?.[i] ?? doc.metadata.id;
      if (id !== undefined) checkText(options.ids ? `options.ids[${i}]` : `documents[${i}].metadata.id`, id);
      const terms = this.analyzer.analyze(doc.pageContent);
      if (terms.length === 0) throw new RagArgumentError(`documents[${i}].pageContent`, 'has no index terms (only stop words or punctuation)');
      return { doc, id, terms };
    });
    const seen = new Set<string>();
    for (const [i, p] of prepared.entries()) {
      if (p.id === undefined) continue;
      if (seen.has(p.id)) throw new RagArgumentError(`documents[${i}]`, `id ${JSON.stringify(p.id)} is repeated in this call`);
      seen.add(p.id);
    }
    return prepared.map((p) => {
      let id = p.id;
      while (id === undefined || (p.id === undefined && (this.slotOf.has(id) || seen.has(id)))) id = `doc-${this.nextId++}`;
      if (this.slotOf.has(id)) this.remove(id);
      const doc: Document = { pageContent: p.doc.pageContent, metadata: { ...p.doc.metadata, id } };
      this.insert(id, doc, this.countTerms(p.terms));
      return id;
    });
  }

  /** Removes documents by id; unknown ids are ignored (as in LangChain stores). */
  delete(options: { ids: readonly string[] }): void {
    if (!options || !Array.isArray(options.ids)) throw new RagArgumentError('options.ids', 'must be an array of ids');
    for (const id of options.ids) this.remove(id);
    if (this.deadPostings > 1024 && this.deadPostings > this.live) this.compactPostings();
  }

  /** Whether a document with this id is indexed. */
  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  /** The indexed document with this id. */
  get(id: string): Document | undefined {
    const s = this.slotOf.get(id);
    return s === undefined ? undefined : this.slots[s]!.doc;
  }

  /** Every indexed document, in insertion order. */
  documents(): Document[] {
    return this.slots.filter((s): s is Slot => s !== undefined).map((s) => s.doc);
  }

  /**
   * The `k` best documents for `query`, best first (ties by insertion order); documents with score 0 (no query
   * term) are never returned.
   *
   * @throws {@link RagArgumentError} for an empty query, `k` < 1 or a malformed filter.
   */
  search(query: string, k = 4, options: Bm25SearchOptions = {}): ScoredDocument[] {
    checkText('query', query);
    checkInteger('k', k, 1);
    const filter = checkFilter('filter', options.filter);
    const scores = this.score(query);
    const keep = (slot: Slot): boolean => matchesFilter(slot.doc.metadata, filter) && (options.where?.(slot.doc.metadata) ?? true);
    const hits: number[] = [];
    for (let i = 0; i < scores.length; i++) if (scores[i]! > 0) hits.push(i);
    hits.sort((a, c) => scores[c]! - scores[a]! || a - c);
    const out: ScoredDocument[] = [];
    for (const i of hits) {
      const slot = this.slots[i]!;
      if (!keep(slot)) continue;
      out.push({ document: slot.doc, score: scores[i]! });
      if (out.length === k) break;
    }
    return out;
  }

  /** BM25 scores of every slot for `query` (0 for deleted slots and documents without a query term). */
  score(query: string): Float64Array {
    const scores = new Float64Array(this.slots.length);
    if (this.live === 0) return scores;
    const avgdl = this.totalLength / this.live;
    const { k1, b } = this;
    for (const term of this.analyzer.analyze(query)) {
      const t = this.termIds.get(term);
      if (t === undefined || this.df[t] === 0) continue;
      const df = this.df[t]!;
      const idf = Math.log(1 + (this.live - df + 0.5) / (df + 0.5));
      const docs = this.postingsDoc[t]!;
      const tfs = this.postingsTf[t]!;
      for (let j = 0; j < docs.length; j++) {
        const slot = this.slots[docs[j]!];
        if (slot === undefined) continue;
        const tf = tfs[j]!;
        scores[docs[j]!]! += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * slot.length) / avgdl));
      }
    }
    return scores;
  }

  /** The index as bytes (format in `bm25-format.ts`); {@link Bm25Index.fromBytes} reads them back. */
  toBytes(): Uint8Array {
    const live = this.slots.filter((s): s is Slot => s !== undefined);
    return encodeBm25({
      options: this.options,
      nextId: this.nextId,
      terms: this.termList,
      docs: live.map((s) => ({ id: s.id, doc: s.doc, terms: s.terms })),
    });
  }

  /**
   * Reads an index written by {@link Bm25Index.toBytes}.
   *
   * @throws {@link SparseIndexFormatError} for bytes that are not a complete, uncorrupted index.
   */
  static fromBytes(bytes: Uint8Array | ArrayBuffer): Bm25Index {
    const data = decodeBm25(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
    let index: Bm25Index;
    try {
      index = new Bm25Index(data.options);
    } catch (cause) {
      throw new SparseIndexFormatError(`header.options are invalid: ${(cause as Error).message}`, { cause });
    }
    for (const term of data.terms) index.termId(term);
    if (index.termList.length !== data.terms.length) throw new SparseIndexFormatError('header.terms has a repeated term');
    for (const d of data.docs) {
      if (index.slotOf.has(d.id)) throw new SparseIndexFormatError(`document id ${JSON.stringify(d.id)} is repeated`);
      index.insert(d.id, d.doc, d.terms);
    }
    index.nextId = data.nextId;
    return index;
  }

  private countTerms(terms: readonly string[]): Uint32Array {
    const counts = new Map<number, number>();
    for (const term of terms) {
      const t = this.termId(term);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const out = new Uint32Array(counts.size * 2);
    let i = 0;
    for (const [t, c] of counts) {
      out[i++] = t;
      out[i++] = c;
    }
    return out;
  }

  private termId(term: string): number {
    let t = this.termIds.get(term);
    if (t === undefined) {
      t = this.termList.length;
      this.termIds.set(term, t);
      this.termList.push(term);
      this.postingsDoc.push([]);
      this.postingsTf.push([]);
      this.df.push(0);
    }
    return t;
  }

  private insert(id: string, doc: Document, terms: Uint32Array): void {
    const slot = this.slots.length;
    let length = 0;
    for (let i = 0; i < terms.length; i += 2) {
      const t = terms[i]!;
      const tf = terms[i + 1]!;
      this.postingsDoc[t]!.push(slot);
      this.postingsTf[t]!.push(tf);
      this.df[t]!++;
      length += tf;
    }
    this.slots.push({ id, doc, terms, length });
    this.slotOf.set(id, slot);
    this.totalLength += length;
    this.live++;
  }

  private remove(id: string): void {
    const s = this.slotOf.get(id);
    if (s === undefined) return;
    const slot = this.slots[s]!;
    for (let i = 0; i < slot.terms.length; i += 2) this.df[slot.terms[i]!]!--;
    this.deadPostings += slot.terms.length / 2;
    this.totalLength -= slot.length;
    this.live--;
    this.slots[s] = undefined;
    this.slotOf.delete(id);
  }

  private compactPostings(): void {
    for (let t = 0; t < this.postingsDoc.length; t++) {
      const docs = this.postingsDoc[t]!;
      const tfs = this.postingsTf[t]!;
      const nd: number[] = [];
      const nt: number[] = [];
      for (let j = 0; j < docs.length; j++) {
        if (this.slots[docs[j]!] === undefined) continue;
        nd.push(docs[j]!);
        nt.push(tfs[j]!);
      }
      this.postingsDoc[t] = nd;
      this.postingsTf[t] = nt;
    }
    this.deadPostings = 0;
  }
}
