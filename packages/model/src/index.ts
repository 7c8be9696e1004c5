export { resolveConfig, toHfConfig, fromHfConfig, ConfigError } from './config';
export type { LlamaConfig, MoeConfig, ResolvedLlamaConfig } from './config';

export {
  BpeTokenizer,
  trainBpe,
  renderChatTemplate,
  CHATML_TEMPLATE,
  DEFAULT_SPECIAL_TOKENS,
  TokenizerError,
  TokenizerOptionError,
  TokenizerJsonError,
  UnknownTokenIdError,
  ChatTemplateError,
  ChatTemplateSyntaxError,
  ChatTemplateRenderError,
} from './tokenizer/index';
export type {
  TrainBpeOptions,
  TrainBpeProgress,
  BpeTokenizerInit,
  EncodeOptions,
  DecodeOptions,
  EncodeBatchOptions,
  BatchEncoding,
  ChatMessage,
  RenderChatTemplateOptions,
  ApplyChatTemplateOptions,
} from './tokenizer/index';

export { LlamaModel, KVCache, Linear, ModelInputError } from './decoder/index';
export type {
  LlamaModelOptions,
  ForwardOptions,
  ForwardOutput,
  LossOptions,
  LossOutput,
  KVCacheLayer,
  LinearAdapter,
  LinearContext,
} from './decoder/index';

export {
  generate,
  streamGenerate,
  GenerationError,
  SamplingError,
  StoppingError,
  applyRepetitionPenalty,
  applyTemperature,
  applyTopK,
  applyTopP,
  greedy,
  sampleCategorical,
  processLogits,
  textGenerator,
} from './generation/index';
export type {
  GenerateOptions,
  GenerateResult,
  GenerationEvent,
  GenerationModel,
  GenerationTokenizer,
  FinishReason,
  SamplingOptions,
  TextGenerationFunction,
  TextGenerationCallOptions,
} from './generation/index';

export { applyLora, LoraHandle, LoraAdapter, LoraConfigError, LoraStateError, LORA_TARGETS, saveLoraAdapters, loadLoraAdapters } from './lora/index';
export type { LoraConfig, LoraTarget, SaveLoraOptions } from './lora/index';

export {
  saveCheckpoint,
  loadCheckpoint,
  loadWeightsInto,
  parseSafetensors,
  serializeSafetensors,
  readSafetensorsFile,
  writeSafetensorsFile,
  writeFileAtomic,
  CheckpointError,
} from './checkpoint/index';
export type {
  SafetensorsTensor,
  SaveCheckpointOptions,
  SaveCheckpointResult,
  LoadCheckpointOptions,
} from './checkpoint/index';

export {
  Trainer,
  TrainerError,
  AdamWOptimizer,
  cosineWithWarmup,
  constantLr,
  clipByGlobalNorm,
  globalNorm,
  IGNORE_INDEX,
} from './training/index';
export type {
  TrainerOptions,
  TrainData,
  TrainExample,
  TrainBatch,
  TrainResult,
  StepLog,
  LrSchedule,
  CosineWithWarmupOptions,
  AdamWConfig,
} from './training/index';

export type { AddedTokenSpec, HfTokenizerConfig, HfTokenizerJson } from './tokenizer/index';
export type { LoraAdapterOptions, LoraTargetModel, ResolvedLoraConfig } from './lora/index';
export type { AtomicWriteData, CheckpointModel, SafetensorsInput } from './checkpoint/index';
export type { ClipResult, GradList, StatefulRng, TrainableModel } from './training/index';
export type { Rng } from './generation/index';
export type { HfAddedToken } from './tokenizer/index';
export type { WritableDtype } from './checkpoint/index';
export { tokenizerJsonFromState } from './tokenizer/index';
export { countParameters, makeVariable, mulberry32 } from './decoder/index';
export { sampleNext } from './generation/index';
export { DEFAULT_SHARD_SIZE_BYTES, parseSafetensorsHeader } from './checkpoint/index';
export { OptimizerStateError } from './training/index';
export { ModelError } from './error';
