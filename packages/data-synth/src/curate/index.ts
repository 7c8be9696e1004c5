/**
 * Corpus curation: normalisation, exact and near-duplicate removal (seeded MinHash + LSH), quality filters, and the
 * {@link curate} pipeline that carries authority metadata through.
 *
 * @packageDocumentation
 */
export { normalizeText, dedupKey, type NormalizeOptions, type CjkPunctuation } from './normalize';
export { hash32, hash128Hex, fmix32 } from './hash';
export { ExactDeduplicator, dedupExact, type ExactDedupOptions, type ExactDedupResult } from './dedup-exact';
export {
  MinHasher,
  shingles,
  tokenize,
  jaccard,
  type MinHashOptions,
  type MinHashSignature,
  type ShingleOptions,
  type ShingleUnit,
} from './minhash';
export {
  MinHashLSH,
  UnionFind,
  optimalParams,
  collisionProbability,
  nearDuplicateClusters,
  dedupNear,
  type LshParams,
  type LshOptions,
  type NearDedupOptions,
  type NearDedupResult,
} from './lsh';
export {
  qualityCheck,
  charClassRatios,
  detectLanguage,
  repeatedLineRatio,
  repeatedNgramRatio,
  DEFAULT_QUALITY,
  QUALITY_FILTERS,
  type QualityOptions,
  type QualityResult,
  type QualityFilter,
  type CharClassRatios,
  type LanguageGuess,
} from './quality';
export { CurateInputError, CurateOptionsError } from './errors';
export { curate, type Doc, type CurateOptions, type CurateReport, type CurateCounts } from './pipeline';
