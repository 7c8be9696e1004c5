/**
 * The constructor input of `BpeTokenizer` (what `tokenizer.json` + `tokenizer_config.json` hold for the
 * byte-level BPE family), in its own file so that the JSON parser and the tokenizer do not import each other.
 *
 * @packageDocumentation
 */
import type { AddedTokenSpec } from './tokenizer';

/** Everything a `BpeTokenizer` is built from. */
export interface BpeTokenizerInit {
  /** BPE vocabulary, token string (byte-level symbols) → id. May also hold the added tokens. */
  vocab: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Merges in rank order (rank 0 is applied first); each pair concatenated must be in `vocab`. */
  merges: ReadonlyArray<readonly [string, string]>;
  /** Tokens matched whole in the input (special tokens and others). */
  addedTokens?: readonly AddedTokenSpec[];
  /** Beginning-of-sequence token (content); must be a token. */
  bosToken?: string | null;
  /** End-of-sequence token (content); must be a token. */
  eosToken?: string | null;
  /** Padding token (content); must be a token. Needed by `encodeBatch`. */
  padToken?: string | null;
  /** Unknown token, used only for bytes missing from a foreign vocabulary. */
  unkToken?: string | null;
  /** `encode(text, {addSpecialTokens: true})` prepends BOS. Default false. */
  addBosToken?: boolean;
  /** `encode(text, {addSpecialTokens: true})` appends EOS. Default false. */
  addEosToken?: boolean;
  /** Jinja chat template used by `applyChatTemplate`; default ChatML. */
  chatTemplate?: string | null;
  /** Longest sequence the paired model accepts (informational, saved to tokenizer_config.json). */
  modelMaxLength?: number | null;
  /** A pre-token that is itself a vocabulary token is emitted whole, before merges (HF `ignore_merges`). Default false. */
  ignoreMerges?: boolean;
  /** Unicode normalization of plain text before splitting (Qwen's `{type: "NFC"}` normalizer). Default none. */
  normalizer?: 'NFC' | null;
  /**
   * The split regex (Oniguruma syntax, as in a `Split` pre-tokenizer of `tokenizer.json`, e.g. Llama 3's or
   * GPT-4o's) with `Isolated` behaviour; default null: the GPT-2 pattern of the `ByteLevel` pre-tokenizer.
   */
  splitRegex?: string | null;
  /** `decode` removes spaces before punctuation and contractions (`clean_up_tokenization_spaces`). Default false. */
  cleanUpTokenizationSpaces?: boolean;
}
