/**
 * Incremental decoding that never emits a broken character: text is released only once no later token can
 * change it. A token may end inside a multi-byte UTF-8 character (byte-level BPE splits Chinese characters; Llama 2
 * emits `<0xE4>` byte-fallback tokens); those bytes are held back until the character completes.
 *
 * @packageDocumentation
 */
import { CLEAN_UP_PATTERNS } from './clean-up';
import { UTF8_COMPLETE, utf8AdvanceLenient } from './utf8-state';

/** What a {@link DecodeStream} needs of a tokenizer (every `Tokenizer` has it). */
export interface StreamDecodable {
  decode(ids: number[], options?: { skipSpecialTokens?: boolean }): string;
  /** Raw bytes of one token; when missing, every trailing U+FFFD is treated as a possibly incomplete character. */
  tokenBytes?(id: number): Uint8Array | undefined;
  /** Whether decode removes spaces before punctuation (then a trailing `" "` may still change and is held back). */
  readonly cleanUpTokenizationSpaces?: boolean;
  /** Ids dropped by `skipSpecialTokens`. */
  readonly specialTokenIds?: readonly number[];
}

/** Options of {@link DecodeStream}. */
export interface DecodeStreamOptions {
  /** Drop special tokens (as `decode(ids, {skipSpecialTokens: true})`). Default false. */
  skipSpecialTokens?: boolean;
}

function heldSuffix(text: string, patterns: readonly string[]): number {
  let best = 0;
  for (const p of patterns) {
    for (let n = Math.min(p.length - 1, text.length); n > best; n--) {
      if (text.endsWith(p.slice(0, n))) {
        best = n;
        break;
      }
    }
  }
  return best;
}

/**
 * Decodes ids one at a time. `step(id)` returns the text that became final with that token; the concatenation
 * of every `step` result and {@link flush} equals `tokenizer.decode(allIds)`. Text is held back while the bytes
 * so far end inside a UTF-8 character (a U+FFFD at the end of the decode that a later byte may still complete),
 * and, for tokenizers that clean up tokenization spaces, while a trailing space may still be removed.
 * A U+FFFD that is really in the text (or bytes that can never become valid) is released as it is.
 *
 * Each step decodes the row's ids so far (O(n) per token).
 */
export class DecodeStream {
  private readonly ids: number[] = [];
  private full = '';
  private emitted = 0;
  private stable = 0;
  private state = UTF8_COMPLETE;
  private readonly skip: boolean;
  private readonly special: Set<number>;

  /**
   * @param tokenizer - the tokenizer whose `decode` defines the text
   * @param options - see {@link DecodeStreamOptions}
   */
  constructor(
    private readonly tokenizer: StreamDecodable,
    options: DecodeStreamOptions = {},
  ) {
    this.skip = options.skipSpecialTokens ?? false;
    this.special = new Set(tokenizer.specialTokenIds ?? []);
  }

  /** The decoded text of every id so far (its tail may still change until {@link flush}). */
  get text(): string {
    return this.full;
  }

  /** Length of the prefix of {@link text} that no later token can change. */
  get stableLength(): number {
    return this.stable;
  }

  /** True while the bytes so far end inside a UTF-8 character (only known when the tokenizer has `tokenBytes`). */
  get incomplete(): boolean {
    return this.state > UTF8_COMPLETE;
  }

  /** Adds one token; returns the text that became final with it (possibly empty). */
  step(id: number): string {
    this.ids.push(id);
    this.full = this.tokenizer.decode(this.ids, { skipSpecialTokens: this.skip });
    let stable = this.full.length;
    const bytesOf = this.tokenizer.tokenBytes;
    if (bytesOf === undefined) {
      while (stable > 0 && this.full.charCodeAt(stable - 1) === 0xfffd) stable--;
    } else {
      if (!(this.skip && this.special.has(id))) {
        const bytes = bytesOf.call(this.tokenizer, id);
        if (bytes !== undefined) this.state = utf8AdvanceLenient(bytes, this.state);
      }
      if (this.state > UTF8_COMPLETE) {
        while (stable > 0 && this.full.charCodeAt(stable - 1) === 0xfffd) stable--;
      }
    }
    if (this.tokenizer.cleanUpTokenizationSpaces) stable -= heldSuffix(this.full.slice(this.emitted, stable), CLEAN_UP_PATTERNS);
    this.stable = Math.max(stable, this.emitted);
    const out = this.full.slice(this.emitted, this.stable);
    this.emitted = this.stable;
    return out;
  }

  /**
   * Ends the stream and returns the text held back.
   * @param dropIncomplete - leave out a trailing incomplete character instead of returning it as U+FFFD
   */
  flush(dropIncomplete = false): string {
    let end = this.full.length;
    if (dropIncomplete && this.state > UTF8_COMPLETE) {
      while (end > this.emitted && this.full.charCodeAt(end - 1) === 0xfffd) end--;
      this.full = this.full.slice(0, end);
    }
    const out = this.full.slice(this.emitted, end);
    this.emitted = end;
    this.stable = end;
    return out;
  }
}
