/**
 * Hybrid retrieval: BM25 and a dense {@link VectorStore}, fused by weighted reciprocal rank fusion (k = 60, the
 * default) or by score fusion (`fusion: 'score'`), then re-scored by source authority, filtered by metadata and
 * date, and optionally pruned of near-duplicates by MMR.
 */
import type { Document, DocumentMetadata, Embedder, MetadataFilter, Retriever, ScoredDocument, VectorStore } from '../types';
import type { Bm25Index } from '../sparse/bm25-index';
import { checkInteger, checkNumber, checkText } from '../validation/checks';
import { RagArgumentError } from '../validation/rag-argument-error';
import { authorityWeight, resolveAuthorityWeights, type AuthorityWeights } from './authority';
import { checkFilter, compileFreshness, matchesFilter, type FreshnessFilter } from './metadata-filter';
import { maximalMarginalRelevance } from './mmr';
import { reciprocalRankFusion, type FusedDocument } from './reciprocal-rank-fusion';
import { scoreFusion, type ScoredList } from './score-fusion';

/** MMR settings: `lambda` 1 = relevance only, 0 = diversity only. */
export interface MmrOptions {
  lambda: number;
  /** Where candidate vectors come from. Default: the dense store's embedder. */
  embedder?: Embedder;
}

/** Options of a {@link HybridRetriever} (and per-call overrides of {@link HybridRetriever.search}). */
export interface HybridSearchOptions {
  /** Results returned. Default 4. */
  k?: number;
  /** Candidates taken from each retriever before fusion. Default max(50, 5·k). */
  fetchK?: number;
  /** Weights of the two lists, finite, ≥ 0, not both 0. Default 1 and 1. */
  weights?: { sparse?: number; dense?: number };
  /**
   * How the two lists are fused. `rrf` (default): weighted reciprocal rank fusion, `Σ w / (rrfK + rank)`.
   * `score`: `w_sparse · (bm25 − bm25_last) / bm25_best + w_dense · (s − s_last)` with the dense store's own scores
   * (cosine similarity for a cosine store) and `_last` the lowest score of each fetched list (a document missing
   * from a list counts as its lowest); see `scoreFusion`. Score fusion keeps the margins that rank fusion throws
   * away, so a weaker dense leg settles BM25's near-ties instead of overriding its clear wins (README, Benchmark).
   */
  fusion?: 'rrf' | 'score';
  /** The RRF constant (`fusion: 'rrf'`). Default 60. */
  rrfK?: number;
  /** Authority multipliers (see `DEFAULT_AUTHORITY_WEIGHTS`), or `false` to leave scores alone. */
  authority?: Partial<AuthorityWeights> | false;
  /** Metadata filter, passed to both retrievers. */
  filter?: MetadataFilter;
  /** Date filter on `metadata.date`. */
  freshness?: FreshnessFilter;
  /** Redundancy pruning; off by default. */
  mmr?: MmrOptions;
  signal?: AbortSignal;
}

/** What a {@link HybridRetriever} ranks with. */
export interface HybridRetrieverOptions extends HybridSearchOptions {
  sparse?: Bm25Index;
  dense?: VectorStore;
}

/** A fused result: the final score and the 1-based rank in each list (undefined where absent). */
export interface HybridResult extends ScoredDocument {
  sparseRank?: number;
  denseRank?: number;
}

/** Sparse + dense retrieval as a {@link Retriever}; see the file comment. */
export class HybridRetriever implements Retriever {
  readonly sparse: Bm25Index | undefined;
  readonly dense: VectorStore | undefined;
  private readonly defaults: HybridSearchOptions;

  /** @throws {@link RagArgumentError} when neither retriever is given or an option is bad. */
  constructor(options: HybridRetrieverOptions) {
    const { sparse, dense, ...defaults } = options ?? {};
    if (!sparse && !dense) throw new RagArgumentError('options', 'give a sparse index, a dense store or both');
    this.sparse = sparse;
    this.dense = dense;
    this.defaults = defaults;
    this.resolve({});
  }

  /** The best documents for `query` (LangChain's `invoke`). */
  async invoke(query: string, options: { signal?: AbortSignal } = {}): Promise<Document[]> {
    return (await this.search(query, options)).map((r) => r.document);
  }

  /**
   * The best documents for `query` with their scores and per-list ranks.
   *
   * @throws {@link RagArgumentError} for an empty query or a bad option (k, fetchK, weights, fusion, rrfK, authority,
   * filter, freshness, mmr); the `signal`'s reason when aborted.
   */
  async search(query: string, overrides: HybridSearchOptions = {}): Promise<HybridResult[]> {
    checkText('query', query);
    const o = this.resolve(overrides);
    o.signal?.throwIfAborted();
    const where = (m: DocumentMetadata): boolean => matchesFilter(m, o.filter) && (o.fresh?.(m) ?? true);
    const lists: ScoredList[] = [];
    const useSparse = this.sparse && o.weights.sparse > 0;
    const useDense = this.dense && o.weights.dense > 0;
    if (useSparse) {
      const hits = this.sparse!.search(query, o.fetchK, { filter: o.filter, where: o.fresh });
      lists.push({ documents: hits.map((h) => h.document), scores: hits.map((h) => h.score), weight: o.weights.sparse, scale: 'max' });
    }
    if (useDense) {
      const hits = (await this.dense!.similaritySearchWithScore(query, o.fetchK, o.filter)).filter(([d]) => where(d.metadata));
      o.signal?.throwIfAborted();
      lists.push({ documents: hits.map(([d]) => d), scores: hits.map(([, s]) => s), weight: o.weights.dense, scale: 'none' });
    }
    const fusedLists: FusedDocument[] = o.fusion === 'score' ? scoreFusion(lists) : reciprocalRankFusion(lists, o.rrfK);
    const fused = fusedLists.map((f) => ({
      document: f.document,
      score: o.authority ? f.score * authorityWeight(f.document.metadata, o.authority) : f.score,
      sparseRank: useSparse ? f.ranks[0] : undefined,
      denseRank: useDense ? f.ranks[useSparse ? 1 : 0] : undefined,
    }));
    fused.sort((a, b) => b.score - a.score);
    if (!o.mmr || fused.length <= 1) return fused.slice(0, o.k);
    const embedder = o.mmr.embedder ?? this.dense?.embedder;
    if (!embedder) throw new RagArgumentError('options.mmr.embedder', 'MMR needs vectors: give an embedder (there is no dense store)');
    const pool = fused.slice(0, Math.max(o.fetchK, o.k));
    const vectors = await embedder.embedDocuments(pool.map((r) => r.document.pageContent), { signal: o.signal });
    const order = maximalMarginalRelevance(pool.map((r) => r.score), vectors, o.k, o.mmr.lambda);
    return order.map((i) => pool[i]!);
  }

  private resolve(over: HybridSearchOptions) {
    const o = { ...this.defaults, ...over };
    const k = checkInteger('options.k', o.k ?? 4, 1);
    const fetchK = checkInteger('options.fetchK', o.fetchK ?? Math.max(50, 5 * k), 1);
    const ws = o.weights ?? {};
    if (typeof ws !== 'object' || ws === null) throw new RagArgumentError('options.weights', 'must be {sparse, dense}');
    const weights = {
      sparse: this.sparse ? checkNumber('options.weights.sparse', ws.sparse ?? 1, 0) : 0,
      dense: this.dense ? checkNumber('options.weights.dense', ws.dense ?? 1, 0) : 0,
    };
    if (weights.sparse === 0 && weights.dense === 0) throw new RagArgumentError('options.weights', 'every weight of an available retriever is 0');
    const rrfK = checkInteger('options.rrfK', o.rrfK ?? 60, 1);
    const fusion = o.fusion ?? 'rrf';
    if (fusion !== 'rrf' && fusion !== 'score') throw new RagArgumentError('options.fusion', `must be "rrf" or "score", got ${JSON.stringify(o.fusion)}`);
    const authority = o.authority === false ? undefined : resolveAuthorityWeights('options.authority', o.authority);
    const filter = checkFilter('options.filter', o.filter);
    const fresh = compileFreshness('options.freshness', o.freshness);
    if (o.mmr !== undefined) {
      if (typeof o.mmr !== 'object' || o.mmr === null) throw new RagArgumentError('options.mmr', 'must be {lambda, embedder?}');
      checkNumber('options.mmr.lambda', o.mmr.lambda, 0, 1);
    }
    return { k, fetchK, weights, fusion, rrfK, authority, filter, fresh, mmr: o.mmr, signal: o.signal };
  }
}
