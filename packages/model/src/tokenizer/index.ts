/**
 * Tokenizers: the `Tokenizer` interface, the fast byte-level BPE engine, any standard Hugging Face
 * `tokenizer.json` (through `@huggingface/tokenizers` where the fast engine does not apply), streaming decode,
 * and chat templates.
 *
 * @packageDocumentation
 */
export {
  BYTE_TO_UNICODE,
  UNICODE_TO_BYTE,
  fromByteLevel,
  toByteLevel,
  toWellFormed,
  utf8Decode,
  utf8Encode,
} from './byte-level';
export { AddedTokenSplitter, GPT2_SPLIT_PATTERN, preTokenize, type TextSegment } from './pre-tokenizer';
export {
  DEFAULT_SPECIAL_TOKENS,
  countPreTokens,
  learnMerges,
  trainBpe,
  type LearnedMerges,
  type TrainBpeOptions,
  type TrainBpeProgress,
} from './bpe-trainer';
export { BpeTokenizer, MAX_VOCAB_SIZE } from './bpe-tokenizer';
export type { BpeTokenizerInit } from './bpe-init';
export type {
  AddedTokenSpec,
  ApplyChatTemplateOptions,
  BatchEncoding,
  DecodeOptions,
  EncodeBatchOptions,
  EncodeOptions,
  Tokenizer,
} from './tokenizer';
export { HfLibraryTokenizer } from './hf-library-tokenizer';
export { tokenizerFromJSON, type TokenizerFromJsonOptions } from './tokenizer-from-json';
export { DecodeStream, type DecodeStreamOptions, type StreamDecodable } from './decode-stream';
export { UTF8_COMPLETE, UTF8_INVALID, UTF8_STATES, utf8Advance, utf8AdvanceLenient, utf8Pending } from './utf8-state';
export { CLEAN_UP_PATTERNS, cleanUpTokenization } from './clean-up';
export { encodeBatchWith } from './encode-batch';
export { parseTokenizerConfig, type TokenizerConfigFields } from './tokenizer-config';
export {
  KNOWN_COMPONENTS,
  checkTokenizerJson,
  fastPathInit,
  parseTokenizerJson,
  tokenizerConfigFromState,
  tokenizerJsonFromState,
  type HfAddedToken,
  type HfTokenizerConfig,
  type HfTokenizerJson,
  type TokenizerState,
} from './hf-tokenizer-json';
export { CHATML_TEMPLATE, renderChatTemplate, type ChatMessage, type RenderChatTemplateOptions } from './chat-template';
export {
  ChatTemplateError,
  ChatTemplateRenderError,
  ChatTemplateSyntaxError,
  FastPathUnsupportedError,
  TokenizerError,
  TokenizerJsonError,
  TokenizerOptionError,
  UnknownTokenIdError,
} from './errors';
