/**
 * Byte-level BPE tokenizer, Hugging Face `tokenizer.json` interop and chat templates.
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
export {
  BpeTokenizer,
  MAX_VOCAB_SIZE,
  type AddedTokenSpec,
  type ApplyChatTemplateOptions,
  type BatchEncoding,
  type BpeTokenizerInit,
  type DecodeOptions,
  type EncodeBatchOptions,
  type EncodeOptions,
} from './bpe-tokenizer';
export {
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
  TokenizerError,
  TokenizerJsonError,
  TokenizerOptionError,
  UnknownTokenIdError,
} from './errors';
