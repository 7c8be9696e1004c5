export { resolveConfig, toHfConfig, fromHfConfig, ConfigError } from './config';
export type { LlamaConfig, MoeConfig, ResolvedLlamaConfig } from './config';

export {
  BpeTokenizer,
  HfLibraryTokenizer,
  tokenizerFromJSON,
  DecodeStream,
  FastPathUnsupportedError,
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
  Tokenizer,
  TokenizerFromJsonOptions,
  DecodeStreamOptions,
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
  applyMinP,
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

export {
  applyLora,
  LoraHandle,
  LoraAdapter,
  LoraConfigError,
  LoraStateError,
  LORA_TARGETS,
  serializeLoraAdapters,
  loadLoraAdaptersFromFiles,
  loadLoraWeightsFromFiles,
  loraConfigFromPeft,
  peftAdapterConfig,
  PEFT_CONFIG_FILE,
  PEFT_WEIGHTS_FILE,
  ADAPTER_CONFIG_KEY,
} from './lora/index';
export type { LoraConfig, LoraTarget, SaveLoraOptions } from './lora/index';

export {
  parseSafetensors,
  serializeSafetensors,
  planCheckpointFiles,
  serializeCheckpoint,
  checkpointSource,
  loadCheckpointFromFiles,
  loadWeightsFromFiles,
  loadCheckpointFromSource,
  loadWeightsFromSource,
  CHECKPOINT_FILES,
  SAVE_ID_KEY,
  shardFileName,
  CheckpointError,
  AtomicWriteError,
} from './checkpoint/index';
export type {
  SafetensorsTensor,
  SaveCheckpointOptions,
  SaveCheckpointResult,
  LoadCheckpointOptions,
  CheckpointPlan,
  CheckpointPlanFile,
  CheckpointSource,
  CheckpointFiles,
  CheckpointFileContent,
  RandomAccessFile,
} from './checkpoint/index';

export {
  Trainer,
  TrainerError,
  MemoryTrainerStore,
  TRAINER_FILES,
  lmLoss,
  lmCollator,
  lmBatchWeight,
  checkpointName,
  AdamWOptimizer,
  cosineWithWarmup,
  constantLr,
  clipByGlobalNorm,
  globalNorm,
} from './training/index';
export { IGNORE_INDEX, shiftLabels, countLossTokens } from './labels';
export type {
  TrainerOptions,
  TrainData,
  TrainExample,
  TrainBatch,
  TrainResult,
  StepLog,
  ComputeLoss,
  LossContext,
  LossResult,
  TrainerStore,
  TrainerStateFiles,
  TrainerStateJson,
  LrSchedule,
  CosineWithWarmupOptions,
  AdamWConfig,
} from './training/index';

export type { AddedTokenSpec, HfTokenizerConfig, HfTokenizerJson } from './tokenizer/index';
export type { LoraAdapterOptions, LoraTargetModel, ResolvedLoraConfig } from './lora/index';
export type { CheckpointModel, SafetensorsInput } from './checkpoint/index';
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
export type { Architecture } from './config';
export { ropeParameters } from './decoder/index';
export type { RopeScaling, LinearRopeScaling, DynamicRopeScaling, YarnRopeScaling, Llama3RopeScaling, RopeBase, RopeParameters } from './decoder/index';
