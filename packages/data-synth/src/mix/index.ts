/**
 * Mixing and output: ratio-weighted mixing with seeded sampling, curriculum order, and sharded JSONL with a
 * checksummed manifest.
 *
 * @packageDocumentation
 */
export { mix, mixByKey, apportion, MixError, type MixSource, type MixOptions, type MixResult, type MixedItem } from './mixing';
export { curriculumOrder, CurriculumError, DEFAULT_LEVELS, type CurriculumOptions } from './curriculum';
export {
  writeShardsToSink,
  readShardsFrom,
  verifyShardsFrom,
  readManifestFrom,
  parseManifest,
  memoryShardSink,
  checkShardOptions,
  shardName,
  stableStringify,
  Sha256,
  sha256Hex,
  ShardWriteError,
  ShardIntegrityError,
  MANIFEST_FORMAT,
  type ShardEncodeOptions,
  type ShardHasher,
  type ShardSink,
  type ShardSource,
  type ShardSourceDigest,
  type ShardReadOptions,
  type ShardManifest,
  type ShardEntry,
  type ShardProblem,
} from './shards';
