/**
 * Checkpoints: the safetensors format, Hugging Face Llama/Mixtral tensor names, sharded
 * checkpoint files as bytes and loading them from fetched files (directories: `@quarkmed/model/node`).
 *
 * @packageDocumentation
 */
export { CheckpointError, AtomicWriteError } from './errors';
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
export { hfTensorSpecs, isLinearWeight, modelShape, hfShape, transpose2d } from './hf-llama';
export type { HfTensorSpec } from './hf-llama';
export { CHECKPOINT_FILES, DEFAULT_SHARD_SIZE_BYTES, SAVE_ID_KEY, SHARD_FILE_PATTERN, shardFileName, isCheckpointFile } from './checkpoint-layout';
export type { CheckpointModel, SaveCheckpointOptions, SaveCheckpointResult, LoadCheckpointOptions } from './checkpoint-layout';
export { planCheckpointFiles, serializeCheckpoint } from './checkpoint-save';
export type { CheckpointPlan, CheckpointPlanFile } from './checkpoint-save';
export { checkpointSource } from './checkpoint-source';
export type { CheckpointSource, CheckpointFiles, CheckpointFileContent, RandomAccessFile } from './checkpoint-source';
export { loadCheckpointFromFiles, loadWeightsFromFiles, loadCheckpointFromSource, loadWeightsFromSource } from './checkpoint-load';
