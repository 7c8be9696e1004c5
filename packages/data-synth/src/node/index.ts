/**
 * The Node-only API of `@quarkmed/data-synth` (the `@quarkmed/data-synth/node` subpath): everything that reads or writes
 * files. The main entry stays free of Node built-ins so that it bundles for the browser; its loaders read any
 * {@link fileInput} given here.
 *
 * @packageDocumentation
 */
export { fileInput } from './file-input';
export { buildMedicalKg, defaultKgSubsetDir, findSourceFile, type BuildKgOptions } from './build';
export { writeShards, readShards, readManifest, verifyShards, type ShardWriterOptions, type ShardSourceFile } from './shards';
