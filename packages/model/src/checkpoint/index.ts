/**
 * Checkpoints: the safetensors format, Hugging Face Llama/Mixtral tensor names, sharded
 * `saveCheckpoint`/`loadCheckpoint`, and atomic file writes.
 *
 * @packageDocumentation
 */
export { CheckpointError } from './errors';
export {
  parseSafetensors,
  parseSafetensorsHeader,
  readHeaderLength,
  decodeTensor,
  serializeSafetensors,
  encodeSafetensorsHeader,
  safetensorsChunks,
  SAFETENSORS_DTYPE_SIZES,
  FLOAT_DTYPES,
  INT_DTYPES,
  MAX_HEADER_BYTES,
} from './safetensors';
export type {
  SafetensorsEntry,
  SafetensorsHeader,
  SafetensorsTensor,
  SafetensorsInput,
  LazySafetensorsInput,
  WritableDtype,
} from './safetensors';
export { writeFileAtomic, TEMP_FILE_PATTERN } from './atomic-write';
export type { AtomicWriteData } from './atomic-write';
export { hfTensorSpecs, isLinearWeight, modelShape, hfShape, transpose2d } from './hf-llama';
export type { HfTensorSpec } from './hf-llama';
export {
  saveCheckpoint,
  loadCheckpoint,
  loadWeightsInto,
  readSafetensorsFile,
  writeSafetensorsFile,
  shardFileName,
  CHECKPOINT_FILES,
  DEFAULT_SHARD_SIZE_BYTES,
} from './checkpoint';
export type { CheckpointModel, SaveCheckpointOptions, SaveCheckpointResult, LoadCheckpointOptions } from './checkpoint';
