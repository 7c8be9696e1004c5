/**
 * Text generation: logit processing and sampling, stopping rules, batched KV-cache generation and streaming.
 *
 * @packageDocumentation
 */
export {
  SamplingError,
  applyRepetitionPenalty,
  applyTemperature,
  applyTopK,
  applyTopP,
  applyMinP,
  createRng,
  greedy,
  logSoftmax,
  logSumExp,
  processLogits,
  sampleCategorical,
  sampleNext,
  softmax,
  tokenLogProb,
  validateSamplingOptions,
} from './sampling';
export type { Rng, SamplingOptions } from './sampling';
export {
  StoppingError,
  StreamingDetokenizer,
  findStopSequence,
  normalizeStopIds,
  normalizeStopSequences,
  partialStopSuffixLength,
} from './stopping';
export type { DetokenizerStep, FinishReason, StopMatch } from './stopping';
export { GenerationError, generate, streamGenerate } from './generate';
export type { GenerateOptions, GenerateResult, GenerationEvent, GenerationModel, GenerationTokenizer } from './generate';
export { Utf8TokenMask, type Utf8MaskTokenizer } from './utf8-mask';
export { textGenerator } from './text-generator';
export type { TextGenerationFunction, TextGenerationCallOptions } from './text-generator';
