/**
 * The curation pipeline: normalise → quality filters → exact dedup → near-duplicate dedup (MinHash LSH), carrying
 * each document's source and authority through and counting what every stage dropped.
 *
 * @packageDocumentation
 */
import { CurateInputError } from './errors';
import type { AuthorityLevel, Language } from '../kg/types';
import { dedupExact } from './dedup-exact';
import { nearDuplicateClusters, type LshParams, type NearDedupOptions } from './lsh';
import { MinHasher, type MinHashOptions } from './minhash';
import { normalizeText, type NormalizeOptions } from './normalize';
import { QUALITY_FILTERS, qualityCheck, type QualityFilter, type QualityOptions } from './quality';

/** A document entering curation. */
export interface Doc {
  /** Unique within the input (used in the report's examples). */
  id: string;
  text: string;
  /** Source file or dataset (e.g. `pubmedqa`, `doid.obo`, `kg-translation`). */
  source: string;
  /** Authority level of the source (A best … E worst). */
  authority: AuthorityLevel;
  /** Declared language; when absent, the detected one (en/zh) is filled in on the kept document. */
  language?: Language;
  /** Anything else; carried through unchanged. */
  meta?: Record<string, unknown>;
}

/** Options of {@link curate}. Each stage can be configured or turned off with `false`. */
export interface CurateOptions {
  /** Normalisation (default {@link normalizeText}'s defaults); false keeps texts as they are. */
  normalize?: NormalizeOptions | false;
  /** Quality thresholds (default `DEFAULT_QUALITY`); false skips the quality filters. */
  quality?: QualityOptions | false;
  /** Exact deduplication on the normalised, lower-cased text (default true). */
  exactDedup?: boolean;
  /**
   * Near-duplicate removal (default: threshold 0.8, 128 permutations, seed 1, mixed shingles of 5); false skips
   * it.
   */
  nearDedup?: (Omit<NearDedupOptions, 'prefer'> & MinHashOptions) | false;
  /**
   * Which duplicate to keep: `'authority'` (default) keeps the highest authority (A over B …), then the earliest;
   * `'first'` keeps the earliest in input order.
   */
  keep?: 'authority' | 'first';
  /** How many dropped-duplicate examples the report lists (default 20). */
  maxExamples?: number;
}

/** Per-source (or per-authority) counts of a {@link CurateReport}. */
export interface CurateCounts {
  input: number;
  kept: number;
}

/** What {@link curate} did. */
export interface CurateReport {
  /** Documents read. */
  input: number;
  /** Documents kept. */
  kept: number;
  /** Documents dropped per reason: `empty`, each quality filter (first failing one), `exact-duplicate`, `near-duplicate`. */
  dropped: Record<'empty' | QualityFilter | 'exact-duplicate' | 'near-duplicate', number>;
  /** Every quality filter that failed, counting a document once per failing filter. */
  qualityFailures: Record<QualityFilter, number>;
  bySource: Record<string, CurateCounts>;
  byAuthority: Partial<Record<AuthorityLevel, CurateCounts>>;
  byLanguage: Record<string, CurateCounts>;
  /** Near-duplicate clusters with more than one member, candidate pairs checked, banding used. */
  nearDedup?: { clusters: number; candidatePairs: number; verifiedPairs: number; params: LshParams; threshold: number };
  /** Some dropped duplicates and the document kept instead. */
  examples: Array<{ dropped: string; keptInstead: string; reason: 'exact-duplicate' | 'near-duplicate'; similarity?: number }>;
}

const AUTHORITY_RANK: Record<AuthorityLevel, number> = { A: 0, B: 1, C: 2, D: 3, E: 4 };

function validate(doc: Doc, index: number): void {
  if (doc === null || typeof doc !== 'object') throw new CurateInputError(`curate: docs[${index}] must be an object, got ${doc === null ? 'null' : typeof doc}`);
  if (typeof doc.id !== 'string') throw new CurateInputError(`curate: docs[${index}].id must be a string, got ${typeof doc.id}`);
  if (typeof doc.text !== 'string') throw new CurateInputError(`curate: docs[${index}] (${doc.id}).text must be a string, got ${typeof doc.text}`);
  if (typeof doc.source !== 'string') throw new CurateInputError(`curate: docs[${index}] (${doc.id}).source must be a string, got ${typeof doc.source}`);
  if (!(doc.authority in AUTHORITY_RANK)) {
    throw new CurateInputError(`curate: docs[${index}] (${doc.id}).authority must be one of A–E, got ${String(doc.authority)}`);
  }
}

function bump(rec: Record<string, CurateCounts>, key: string, field: keyof CurateCounts): void {
  const c = (rec[key] ??= { input: 0, kept: 0 });
  c[field]++;
}

/**
 * Curates a stream of documents: normalises each text, applies the quality filters, removes exact duplicates and
 * near-duplicates (MinHash LSH, union-find clusters), and returns the kept documents in input order with a report.
 * Kept documents are new objects with the normalised text; `id`, `source`, `authority` and `meta` are carried
 * through, and `language` is filled with the detected language when it was absent. Deterministic: the same input and
 * options give the same output.
 *
 * Memory: the kept-after-quality documents and their signatures are held until the end (near-duplicate clustering is
 * global).
 *
 * @param docs - documents, sync or async iterable.
 * @param options - see {@link CurateOptions}.
 * @throws CurateInputError for a malformed document (naming its index and field).
 */
export async function curate(
  docs: AsyncIterable<Doc> | Iterable<Doc>,
  options: CurateOptions = {},
): Promise<{ kept: Doc[]; report: CurateReport }> {
  const dropped = { empty: 0, 'exact-duplicate': 0, 'near-duplicate': 0 } as CurateReport['dropped'];
  const qualityFailures = {} as CurateReport['qualityFailures'];
  for (const f of QUALITY_FILTERS) {
    dropped[f] = 0;
    qualityFailures[f] = 0;
  }
  const report: CurateReport = { input: 0, kept: 0, dropped, qualityFailures, bySource: {}, byAuthority: {}, byLanguage: {}, examples: [] };
  const maxExamples = options.maxExamples ?? 20;
  const keepMode = options.keep ?? 'authority';
  const nearOpts = options.nearDedup === false ? false : { threshold: 0.8, ...(options.nearDedup ?? {}) };
  const hasher = nearOpts === false ? undefined : new MinHasher(nearOpts);

  const pool: Doc[] = [];
  let index = 0;
  for await (const doc of docs as AsyncIterable<Doc>) {
    validate(doc, index++);
    report.input++;
    bump(report.bySource, doc.source, 'input');
    bump(report.byAuthority as Record<string, CurateCounts>, doc.authority, 'input');
    const text = options.normalize === false ? doc.text : normalizeText(doc.text, options.normalize);
    if (text.length === 0) {
      dropped.empty++;
      bump(report.byLanguage, doc.language ?? 'unknown', 'input');
      continue;
    }
    let language = doc.language;
    if (options.quality !== false) {
      const q = qualityCheck(text, options.quality ?? {}, doc.language);
      language ??= q.language.language === 'unknown' ? undefined : q.language.language;
      bump(report.byLanguage, language ?? 'unknown', 'input');
      for (const f of q.failed) qualityFailures[f]++;
      if (!q.pass) {
        dropped[q.failed[0]!]++;
        continue;
      }
    } else {
      bump(report.byLanguage, language ?? 'unknown', 'input');
    }
    const out: Doc = { id: doc.id, text, source: doc.source, authority: doc.authority };
    if (language !== undefined) out.language = language;
    if (doc.meta !== undefined) out.meta = doc.meta;
    pool.push(out);
  }

  const prefer =
    keepMode === 'authority'
      ? (a: number, b: number): number => AUTHORITY_RANK[pool[a]!.authority] - AUTHORITY_RANK[pool[b]!.authority]
      : undefined;

  // Exact duplicates.
  let survivors = pool.map((_, i) => i);
  if (options.exactDedup ?? true) {
    const res = dedupExact(
      pool.map((d) => d.text),
      { prefer },
    );
    dropped['exact-duplicate'] = res.duplicateOf.size;
    for (const [d, k] of res.duplicateOf) {
      if (report.examples.length >= maxExamples) break;
      report.examples.push({ dropped: pool[d]!.id, keptInstead: pool[k]!.id, reason: 'exact-duplicate' });
    }
    survivors = res.kept;
  }

  // Near duplicates.
  if (hasher !== undefined && nearOpts !== false) {
    const sigs = survivors.map((i) => hasher.signature(pool[i]!.text));
    const res = nearDuplicateClusters(sigs, {
      threshold: nearOpts.threshold,
      params: nearOpts.params,
      weights: nearOpts.weights,
      prefer: prefer ? (a, b) => prefer(survivors[a]!, survivors[b]!) : undefined,
    });
    dropped['near-duplicate'] = res.duplicateOf.size;
    const sim = new Map<string, number>();
    for (const [i, j, est] of res.pairs) sim.set(`${i},${j}`, est);
    for (const [d, k] of res.duplicateOf) {
      if (report.examples.length >= maxExamples) break;
      const similarity = sim.get(d < k ? `${d},${k}` : `${k},${d}`);
      report.examples.push({
        dropped: pool[survivors[d]!]!.id,
        keptInstead: pool[survivors[k]!]!.id,
        reason: 'near-duplicate',
        ...(similarity !== undefined ? { similarity } : {}),
      });
    }
    report.nearDedup = {
      clusters: res.clusters,
      candidatePairs: res.candidatePairs,
      verifiedPairs: res.pairs.length,
      params: res.params,
      threshold: nearOpts.threshold,
    };
    survivors = res.kept.map((i) => survivors[i]!);
  }

  const kept = survivors.map((i) => pool[i]!);
  report.kept = kept.length;
  for (const d of kept) {
    bump(report.bySource, d.source, 'kept');
    bump(report.byAuthority as Record<string, CurateCounts>, d.authority, 'kept');
    bump(report.byLanguage, d.language ?? 'unknown', 'kept');
  }
  return { kept, report };
}
