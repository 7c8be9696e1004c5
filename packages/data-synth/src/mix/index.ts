/**
 * Mixing and output: ratio-weighted mixing with seeded sampling, curriculum order, and sharded JSONL with a
 * checksummed manifest.
 *
 * @packageDocumentation
 */
export { mix, mixByKey, apportion, MixError, type MixSource, type MixOptions, type MixResult, type MixedItem } from './mixing';
export { curriculumOrder, CurriculumError, DEFAULT_LEVELS, type CurriculumOptions } from './curriculum';
export {
  writeShards,
  readShards,
  readManifest,
  verifyShards,
  stableStringify,
  ShardWriteError,
  ShardIntegrityError,
  MANIFEST_FORMAT,
  type ShardWriterOptions,
  type ShardManifest,
  type ShardEntry,
  type ShardProblem,
  type ShardSourceFile,
} from './shards';
