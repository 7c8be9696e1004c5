/**
 * The one `Tokenizer` interface that generation, trainers and chat templates use. Two implementations:
 * `BpeTokenizer` (this package's own byte-level BPE engine, the fast path) and `HfLibraryTokenizer` (any other
 * standard `tokenizer.json`, served by `@huggingface/tokenizers`). Build either with `tokenizerFromJSON`.
 *
 * @packageDocumentation
 */
import type { ChatMessage } from './chat-template';
import type { DecodeStream, DecodeStreamOptions } from './decode-stream';

/** A token matched as a whole before the model runs. `special` tokens are dropped by `decode(..., {skipSpecialTokens})`. */
export interface AddedTokenSpec {
  id: number;
  content: string;
  special: boolean;
}

/** Options of {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /**
   * Add the special tokens of the post-processor / `add_bos_token` / `add_eos_token` (e.g. Llama 2's `<s>`).
   * Default false (HF's default is true).
   */
  addSpecialTokens?: boolean;
}

/** Options of {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /** Drop the ids of special added tokens. Default false. */
  skipSpecialTokens?: boolean;
}

/** Options of {@link Tokenizer.encodeBatch}. */
export interface EncodeBatchOptions extends EncodeOptions {
  /** `'longest'` (default): pad to the longest sequence; `'max_length'`: pad to `maxLength`; `false`: no padding. */
  padding?: 'longest' | 'max_length' | false;
  /** Target length for `padding: 'max_length'` and the limit for `truncation`. */
  maxLength?: number;
  /** Cut sequences longer than `maxLength`. Default false. */
  truncation?: boolean;
  /** Which side is cut. Default `'right'`. */
  truncationSide?: 'left' | 'right';
  /** Which side gets padding. Default `'right'` (use `'left'` for batched generation). */
  paddingSide?: 'left' | 'right';
}

/** Result of {@link Tokenizer.encodeBatch}: rectangular unless `padding: false`. */
export interface BatchEncoding {
  inputIds: number[][];
  /** 1 for real tokens, 0 for padding. */
  attentionMask: number[][];
}

/** Options of {@link Tokenizer.applyChatTemplate}. */
export interface ApplyChatTemplateOptions {
  /** Override the tokenizer's template. */
  template?: string;
  /** Append the assistant header so the model continues as the assistant. Default false. */
  addGenerationPrompt?: boolean;
  /** Extra variables visible to the template. */
  extra?: Record<string, unknown>;
}

/**
 * A tokenizer: text ↔ ids, special tokens, batches, chat templates and streaming decode. `BpeTokenizer` and
 * `HfLibraryTokenizer` implement it; `tokenizerFromJSON` picks one for a `tokenizer.json`.
 */
export interface Tokenizer {
  /** `'fast'` for this package's BPE engine, `'library'` for `@huggingface/tokenizers`. */
  readonly engine: 'fast' | 'library';
  /** Number of ids (largest id + 1). */
  readonly vocabSize: number;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly padToken: string | null;
  readonly unkToken: string | null;
  readonly bosTokenId: number | undefined;
  readonly eosTokenId: number | undefined;
  readonly padTokenId: number | undefined;
  readonly unkTokenId: number | undefined;
  /** Whether `encode(text, {addSpecialTokens: true})` prepends BOS. */
  readonly addBosToken: boolean;
  /** Whether `encode(text, {addSpecialTokens: true})` appends EOS. */
  readonly addEosToken: boolean;
  /** The Jinja chat template (null: ChatML is used). */
  readonly chatTemplate: string | null;
  /** Longest sequence of the paired model, if known. */
  readonly modelMaxLength: number | null;
  /** `decode` applies the `transformers` clean-up of spaces before punctuation (`tokenizer_config.clean_up_tokenization_spaces`). */
  readonly cleanUpTokenizationSpaces: boolean;
  /** The added tokens (a copy). */
  readonly addedTokens: AddedTokenSpec[];
  /** Ids of the special added tokens. */
  readonly specialTokenIds: number[];
  /** Token ids of `text`. */
  encode(text: string, options?: EncodeOptions): number[];
  /** Token strings of `text`. */
  tokenize(text: string, options?: EncodeOptions): string[];
  /**
   * Text of `ids`.
   * @throws UnknownTokenIdError for an id outside the vocabulary.
   */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /**
   * The raw bytes one token contributes to decoded text (byte-level symbols turned into bytes, `<0xE4>`
   * byte-fallback tokens as that byte, added tokens as their UTF-8 content), or undefined for an id that is not
   * a token. A token may hold an incomplete UTF-8 sequence; {@link DecodeStream} and generation's `validUtf8` use this.
   */
  tokenBytes(id: number): Uint8Array | undefined;
  /** Id of a token string, if any. */
  tokenToId(token: string): number | undefined;
  /** Token string of an id, if any. */
  idToToken(id: number): string | undefined;
  /** Encodes several texts and pads/truncates them into a rectangle. */
  encodeBatch(texts: readonly string[], options?: EncodeBatchOptions): BatchEncoding;
  /** Renders `messages` with the tokenizer's chat template (ChatML when none) and its BOS/EOS tokens. */
  applyChatTemplate(messages: readonly ChatMessage[], options?: ApplyChatTemplateOptions): string;
  /** An incremental decoder that never emits a partial UTF-8 character (see {@link DecodeStream}). */
  decodeStream(options?: DecodeStreamOptions): DecodeStream;
  /** The Hugging Face `tokenizer.json` object. */
  toJSON(): object;
  /** The matching `tokenizer_config.json` object. */
  toTokenizerConfig(): object;
}
