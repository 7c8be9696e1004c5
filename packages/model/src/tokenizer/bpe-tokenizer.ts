/**
 * Byte-level BPE tokenizer (GPT-2 / Llama 3 / GPT-4o / Qwen style), the fast path: added tokens are matched
 * first, the rest is NFC-normalized when configured and split with the GPT-2 regex or the file's `Split` regex
 * (compiled by `@huggingface/tokenizers`' Oniguruma translation, so the pieces are the reference's), each piece is turned into its UTF-8 bytes (one symbol per byte) and merged by rank.
 *
 * @packageDocumentation
 */
import { SplitPreTokenizer } from '@huggingface/tokenizers';
import type { BpeTokenizerInit } from './bpe-init';
import { BYTE_TO_UNICODE, fromByteLevel, utf8Decode, utf8Encode } from './byte-level';
import { renderChatTemplate, type ChatMessage } from './chat-template';
import { cleanUpTokenization } from './clean-up';
import { DecodeStream, type DecodeStreamOptions } from './decode-stream';
import { encodeBatchWith } from './encode-batch';
import { TokenizerError, TokenizerJsonError, TokenizerOptionError, UnknownTokenIdError } from './errors';
import {
  parseTokenizerJson,
  tokenizerConfigFromState,
  tokenizerJsonFromState,
  type HfTokenizerConfig,
  type HfTokenizerJson,
  type TokenizerState,
} from './hf-tokenizer-json';
import { AddedTokenSplitter, preTokenize } from './pre-tokenizer';
import type {
  AddedTokenSpec,
  ApplyChatTemplateOptions,
  BatchEncoding,
  DecodeOptions,
  EncodeBatchOptions,
  EncodeOptions,
  Tokenizer,
} from './tokenizer';

/** Pair ids are packed as `left * PAIR_SHIFT + right`; ids must stay below this. */
const PAIR_SHIFT = 2 ** 21;
/** Largest supported vocabulary (ids are packed in pair keys). */
export const MAX_VOCAB_SIZE = PAIR_SHIFT;
const CACHE_CAPACITY = 50_000;
/** Pieces longer than this (in characters) are not cached. */
const MAX_CACHED_PIECE = 256;
/** Pieces with more bytes than this use the heap-based merge. */
const LINEAR_MERGE_LIMIT = 48;
/** Heap entries are `rank * POS_SHIFT + position`. */
const POS_SHIFT = 2 ** 32;

function toMap(vocab: BpeTokenizerInit['vocab']): Map<string, number> {
  if (vocab instanceof Map) return new Map(vocab);
  return new Map(Object.entries(vocab as Record<string, number>));
}

/**
 * Byte-level BPE tokenizer. Build one with `trainBpe`, {@link BpeTokenizer.fromJSON}, `tokenizerFromJSON` or
 * `loadTokenizer` (from `@quarkmed/model/node`); `decode(encode(s)) === s` for every well-formed string `s`
 * without a normalizer (lone surrogates become U+FFFD, see `toWellFormed`).
 */
export class BpeTokenizer implements Tokenizer {
  /** This package's own BPE engine. */
  readonly engine = 'fast' as const;
  private readonly tokenToIdMap: Map<string, number>;
  private readonly idToTokenArr: (string | undefined)[];
  private readonly mergeList: [string, string][];
  /** pair key → rank */
  private readonly ranks = new Map<number, number>();
  /** rank → merged id */
  private readonly mergeResult: Int32Array;
  private readonly byteIds = new Int32Array(256);
  private readonly added: AddedTokenSpec[];
  private readonly addedById = new Map<number, AddedTokenSpec>();
  private readonly splitter: AddedTokenSplitter;
  private readonly cache = new Map<string, number[]>();
  private bytesCache: (Uint8Array | undefined)[] | undefined;
  private readonly split: SplitPreTokenizer | null;

  /** Beginning-of-sequence token content, if any. */
  readonly bosToken: string | null;
  /** End-of-sequence token content, if any. */
  readonly eosToken: string | null;
  /** Padding token content, if any. */
  readonly padToken: string | null;
  /** Unknown token content, if any. */
  readonly unkToken: string | null;
  /** Whether `addSpecialTokens` prepends BOS. */
  readonly addBosToken: boolean;
  /** Whether `addSpecialTokens` appends EOS. */
  readonly addEosToken: boolean;
  /** The Jinja chat template (null: ChatML is used). */
  readonly chatTemplate: string | null;
  /** Longest sequence of the paired model, if known. */
  readonly modelMaxLength: number | null;
  /** See {@link BpeTokenizerInit.ignoreMerges}. */
  readonly ignoreMerges: boolean;
  /** See {@link BpeTokenizerInit.normalizer}. */
  readonly normalizer: 'NFC' | null;
  /** See {@link BpeTokenizerInit.splitRegex}. */
  readonly splitRegex: string | null;
  /** See {@link BpeTokenizerInit.cleanUpTokenizationSpaces}. */
  readonly cleanUpTokenizationSpaces: boolean;

  /**
   * @throws TokenizerOptionError naming the field (`vocab`, `merges[i]`, `addedTokens[i]`, `bosToken`, ...).
   */
  constructor(init: BpeTokenizerInit) {
    this.tokenToIdMap = toMap(init.vocab);
    let maxId = -1;
    for (const [tok, id] of this.tokenToIdMap) {
      if (!Number.isInteger(id) || id < 0 || id >= MAX_VOCAB_SIZE) {
        throw new TokenizerOptionError(`vocab[${JSON.stringify(tok)}]`, `id must be an integer in [0, ${MAX_VOCAB_SIZE}), got ${id}`);
      }
      if (id > maxId) maxId = id;
    }
    this.added = [];
    (init.addedTokens ?? []).forEach((t, i) => {
      if (!Number.isInteger(t.id) || t.id < 0 || t.id >= MAX_VOCAB_SIZE) {
        throw new TokenizerOptionError(`addedTokens[${i}].id`, `must be an integer in [0, ${MAX_VOCAB_SIZE}), got ${t.id}`);
      }
      if (typeof t.content !== 'string' || t.content.length === 0) {
        throw new TokenizerOptionError(`addedTokens[${i}].content`, 'must be a non-empty string');
      }
      const existing = this.tokenToIdMap.get(t.content);
      if (existing !== undefined && existing !== t.id) {
        throw new TokenizerOptionError(`addedTokens[${i}]`, `${JSON.stringify(t.content)} has id ${t.id} but the vocabulary gives ${existing}`);
      }
      this.tokenToIdMap.set(t.content, t.id);
      const spec = { id: t.id, content: t.content, special: t.special };
      this.added.push(spec);
      this.addedById.set(t.id, spec);
      if (t.id > maxId) maxId = t.id;
    });
    this.idToTokenArr = new Array<string | undefined>(maxId + 1).fill(undefined);
    for (const [tok, id] of this.tokenToIdMap) {
      const prev = this.idToTokenArr[id];
      if (prev !== undefined && prev !== tok && !this.addedById.has(id)) {
        throw new TokenizerOptionError('vocab', `id ${id} is used by both ${JSON.stringify(prev)} and ${JSON.stringify(tok)}`);
      }
      if (prev === undefined || this.addedById.get(id)?.content === tok) this.idToTokenArr[id] = tok;
    }
    if (init.merges.length >= MAX_VOCAB_SIZE) {
      throw new TokenizerOptionError('merges', `at most ${MAX_VOCAB_SIZE - 1} merges are supported, got ${init.merges.length}`);
    }
    this.mergeList = [];
    this.mergeResult = new Int32Array(init.merges.length);
    init.merges.forEach((m, rank) => {
      if (!Array.isArray(m) || m.length !== 2 || typeof m[0] !== 'string' || typeof m[1] !== 'string') {
        throw new TokenizerOptionError(`merges[${rank}]`, 'must be a pair of token strings');
      }
      const a = this.tokenToIdMap.get(m[0]);
      const b = this.tokenToIdMap.get(m[1]);
      const c = this.tokenToIdMap.get(m[0] + m[1]);
      if (a === undefined || b === undefined || c === undefined) {
        const missing = a === undefined ? m[0] : b === undefined ? m[1] : m[0] + m[1];
        throw new TokenizerOptionError(`merges[${rank}]`, `token ${JSON.stringify(missing)} is not in the vocabulary`);
      }
      const key = a * PAIR_SHIFT + b;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
      this.mergeResult[rank] = c;
      this.mergeList.push([m[0], m[1]]);
    });
    for (let b = 0; b < 256; b++) this.byteIds[b] = this.tokenToIdMap.get(BYTE_TO_UNICODE[b]) ?? -1;
    this.splitter = new AddedTokenSplitter(this.added.map((t) => [t.content, t.id] as const));

    const checkToken = (field: string, v: string | null | undefined): string | null => {
      if (v === undefined || v === null) return null;
      if (!this.tokenToIdMap.has(v)) throw new TokenizerOptionError(field, `${JSON.stringify(v)} is not a token`);
      return v;
    };
    this.bosToken = checkToken('bosToken', init.bosToken);
    this.eosToken = checkToken('eosToken', init.eosToken);
    this.padToken = checkToken('padToken', init.padToken);
    this.unkToken = checkToken('unkToken', init.unkToken);
    this.addBosToken = init.addBosToken ?? false;
    this.addEosToken = init.addEosToken ?? false;
    if (this.addBosToken && this.bosToken === null) throw new TokenizerOptionError('addBosToken', 'is true but bosToken is not set');
    if (this.addEosToken && this.eosToken === null) throw new TokenizerOptionError('addEosToken', 'is true but eosToken is not set');
    this.chatTemplate = init.chatTemplate ?? null;
    this.modelMaxLength = init.modelMaxLength ?? null;
    this.ignoreMerges = init.ignoreMerges ?? false;
    const norm = init.normalizer ?? null;
    if (norm !== null && norm !== 'NFC') throw new TokenizerOptionError('normalizer', `must be 'NFC' or null, got ${JSON.stringify(norm)}`);
    this.normalizer = norm;
    this.splitRegex = init.splitRegex ?? null;
    if (this.splitRegex !== null) {
      if (typeof this.splitRegex !== 'string') throw new TokenizerOptionError('splitRegex', 'must be a string or null');
      let split: SplitPreTokenizer;
      try {
        split = new SplitPreTokenizer({ type: 'Split', pattern: { Regex: this.splitRegex }, behavior: 'Isolated', invert: false } as never);
      } catch (error) {
        throw new TokenizerOptionError('splitRegex', `does not compile: ${(error as Error).message}`);
      }
      if (split.pattern === null) throw new TokenizerOptionError('splitRegex', 'does not compile');
      this.split = split;
    } else this.split = null;
    this.cleanUpTokenizationSpaces = init.cleanUpTokenizationSpaces ?? false;
  }

  /** Number of ids (largest id + 1); the embedding table of the paired model needs this many rows. */
  get vocabSize(): number {
    return this.idToTokenArr.length;
  }

  /** Id of a token string (byte-level symbols, or an added token's content). */
  tokenToId(token: string): number | undefined {
    return this.tokenToIdMap.get(token);
  }

  /** Token string of an id (byte-level symbols for BPE tokens). */
  idToToken(id: number): string | undefined {
    return this.idToTokenArr[id];
  }

  /** A copy of the vocabulary (added tokens included). */
  getVocab(): Map<string, number> {
    return new Map(this.tokenToIdMap);
  }

  /** The merges in rank order (a copy). */
  get merges(): [string, string][] {
    return this.mergeList.map((m) => [m[0], m[1]]);
  }

  /** The added tokens (a copy). */
  get addedTokens(): AddedTokenSpec[] {
    return this.added.map((t) => ({ ...t }));
  }

  /** Ids of the special added tokens. */
  get specialTokenIds(): number[] {
    return this.added.filter((t) => t.special).map((t) => t.id);
  }

  /** Id of {@link bosToken}. */
  get bosTokenId(): number | undefined {
    return this.bosToken === null ? undefined : this.tokenToIdMap.get(this.bosToken);
  }

  /** Id of {@link eosToken}. */
  get eosTokenId(): number | undefined {
    return this.eosToken === null ? undefined : this.tokenToIdMap.get(this.eosToken);
  }

  /** Id of {@link padToken}. */
  get padTokenId(): number | undefined {
    return this.padToken === null ? undefined : this.tokenToIdMap.get(this.padToken);
  }

  /** Id of {@link unkToken}. */
  get unkTokenId(): number | undefined {
    return this.unkToken === null ? undefined : this.tokenToIdMap.get(this.unkToken);
  }

  /** BPE of one pre-token (cached). */
  private bpePiece(piece: string): number[] {
    const cached = this.cache.get(piece);
    if (cached !== undefined) return cached;
    const bytes = utf8Encode(piece);
    if (this.ignoreMerges) {
      let bl = '';
      for (let i = 0; i < bytes.length; i++) bl += BYTE_TO_UNICODE[bytes[i]];
      const whole = this.tokenToIdMap.get(bl);
      if (whole !== undefined && !this.addedById.has(whole)) {
        return [whole];
      }
    }
    const sym: number[] = new Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) {
      const id = this.byteIds[bytes[i]];
      if (id < 0) {
        const unk = this.unkTokenId;
        if (unk === undefined) {
          throw new TokenizerError(`byte 0x${bytes[i].toString(16)} of ${JSON.stringify(piece)} has no token and there is no unkToken`);
        }
        sym[i] = unk;
      } else sym[i] = id;
    }
    const out = sym.length > LINEAR_MERGE_LIMIT ? this.mergeLong(sym) : this.mergeShort(sym);
    if (piece.length <= MAX_CACHED_PIECE) {
      if (this.cache.size >= CACHE_CAPACITY) this.cache.clear();
      this.cache.set(piece, out);
    }
    return out;
  }

  /** Applies merges to a short symbol list in place: lowest rank first, leftmost on ties (O(n^2)). */
  private mergeShort(sym: number[]): number[] {
    const ranks = this.ranks;
    while (sym.length > 1) {
      let best = Infinity;
      let at = -1;
      for (let i = 0; i < sym.length - 1; i++) {
        const r = ranks.get(sym[i] * PAIR_SHIFT + sym[i + 1]);
        if (r !== undefined && r < best) {
          best = r;
          at = i;
        }
      }
      if (at < 0) break;
      sym[at] = this.mergeResult[best];
      sym.splice(at + 1, 1);
    }
    return sym;
  }

  /**
   * Same result as {@link mergeShort} in O(n log n) for long pieces (e.g. long CJK runs): a linked list of
   * symbols and a min-heap of (rank, position) entries validated when popped.
   */
  private mergeLong(input: number[]): number[] {
    const n = input.length;
    const sym = Int32Array.from(input);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const heap: number[] = [];
    const push = (v: number) => {
      heap.push(v);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heap[p] <= v) break;
        heap[i] = heap[p];
        i = p;
      }
      heap[i] = v;
    };
    const pop = (): number => {
      const top = heap[0];
      const last = heap.pop() as number;
      const m = heap.length;
      if (m > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= m) break;
          const c = l + 1 < m && heap[l + 1] < heap[l] ? l + 1 : l;
          if (heap[c] >= last) break;
          heap[i] = heap[c];
          i = c;
        }
        heap[i] = last;
      }
      return top;
    };
    const consider = (i: number) => {
      const j = next[i];
      if (j < 0) return;
      const r = this.ranks.get(sym[i] * PAIR_SHIFT + sym[j]);
      if (r !== undefined) push(r * POS_SHIFT + i);
    };
    for (let i = 0; i < n - 1; i++) consider(i);
    while (heap.length > 0) {
      const v = pop();
      const rank = Math.floor(v / POS_SHIFT);
      const i = v - rank * POS_SHIFT;
      const j = next[i];
      if (!alive[i] || j < 0 || this.ranks.get(sym[i] * PAIR_SHIFT + sym[j]) !== rank) continue;
      sym[i] = this.mergeResult[rank];
      alive[j] = 0;
      const k = next[j];
      next[i] = k;
      if (k >= 0) prev[k] = i;
      if (prev[i] >= 0) consider(prev[i]);
      consider(i);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]) out.push(sym[i]);
    return out;
  }


  /**
   * Token ids of `text`. Added tokens (e.g. `<|im_end|>`) occurring in the text are matched whole first
   * (leftmost, longest); everything else goes through byte-level BPE, so any string is encodable.
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== 'string') throw new TokenizerOptionError('text', `must be a string, got ${typeof text}`);
    const ids: number[] = [];
    const addSpecial = options.addSpecialTokens ?? false;
    if (addSpecial && this.addBosToken) ids.push(this.bosTokenId as number);
    for (const seg of this.splitter.split(text)) {
      if (seg.id !== undefined) {
        ids.push(seg.id);
        continue;
      }
      const text = this.normalizer === 'NFC' ? seg.text.normalize('NFC') : seg.text;
      if (text.length === 0) continue;
      const pieces = this.split === null ? preTokenize(text) : this.split.pre_tokenize_text(text);
      for (const piece of pieces) {
        const sym = this.bpePiece(piece);
        for (let i = 0; i < sym.length; i++) ids.push(sym[i]);
      }
    }
    if (addSpecial && this.addEosToken) ids.push(this.eosTokenId as number);
    return ids;
  }

  /** Token strings of `text` (byte-level symbols; added tokens as their content). */
  tokenize(text: string, options: EncodeOptions = {}): string[] {
    return this.encode(text, options).map((id) => this.idToTokenArr[id] as string);
  }

  /** The bytes of one token (byte-level symbols as bytes; added tokens as their UTF-8 content); undefined for a non-id. */
  tokenBytes(id: number): Uint8Array | undefined {
    if (!Number.isInteger(id) || id < 0 || id >= this.idToTokenArr.length) return undefined;
    if (this.bytesCache === undefined) this.bytesCache = new Array(this.idToTokenArr.length);
    let b = this.bytesCache[id];
    if (b === undefined) {
      const tok = this.idToTokenArr[id];
      if (tok === undefined) return undefined;
      b = this.addedById.has(id) ? utf8Encode(tok) : fromByteLevel(tok);
      this.bytesCache[id] = b;
    }
    return b;
  }

  /**
   * Text of `ids`. Bytes are joined and UTF-8 decoded once, so tokens that split a character decode correctly
   * together; an incomplete sequence decodes to U+FFFD.
   * @throws UnknownTokenIdError for an id outside the vocabulary.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const skip = options.skipSpecialTokens ?? false;
    let buf = new Uint8Array(Math.max(16, ids.length * 4));
    let len = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const bytes = this.tokenBytes(id);
      if (bytes === undefined) throw new UnknownTokenIdError(id, i, this.vocabSize);
      if (skip && this.addedById.get(id)?.special) continue;
      if (len + bytes.length > buf.length) {
        const next = new Uint8Array(Math.max(buf.length * 2, len + bytes.length));
        next.set(buf.subarray(0, len));
        buf = next;
      }
      buf.set(bytes, len);
      len += bytes.length;
    }
    const text = utf8Decode(buf.subarray(0, len));
    return this.cleanUpTokenizationSpaces ? cleanUpTokenization(text) : text;
  }

  /** An incremental decoder of this tokenizer that holds back incomplete UTF-8 characters. */
  decodeStream(options: DecodeStreamOptions = {}): DecodeStream {
    return new DecodeStream(this, options);
  }

  /**
   * Encodes several texts and pads/truncates them into a rectangle.
   * @throws TokenizerOptionError when `maxLength` is missing for `'max_length'`/`truncation`, when padding is
   * requested without a pad token, or when a sequence is longer than `maxLength` with `'max_length'` padding
   * and no truncation.
   */
  encodeBatch(texts: readonly string[], options: EncodeBatchOptions = {}): BatchEncoding {
    return encodeBatchWith((t, o) => this.encode(t, o), this.padTokenId, texts, options);
  }

  /**
   * Renders `messages` with the tokenizer's chat template (ChatML when none) and its BOS/EOS tokens.
   * Encode the result with {@link encode} (the template's special tokens are matched whole).
   */
  applyChatTemplate(messages: readonly ChatMessage[], options: ApplyChatTemplateOptions = {}): string {
    return renderChatTemplate(messages, {
      template: options.template ?? this.chatTemplate ?? undefined,
      addGenerationPrompt: options.addGenerationPrompt,
      bosToken: this.bosToken ?? undefined,
      eosToken: this.eosToken ?? undefined,
      extra: options.extra,
    });
  }

  private state(): TokenizerState {
    return {
      vocab: this.tokenToIdMap,
      merges: this.mergeList,
      addedTokens: this.added,
      bosToken: this.bosToken,
      eosToken: this.eosToken,
      padToken: this.padToken,
      unkToken: this.unkToken,
      addBosToken: this.addBosToken,
      addEosToken: this.addEosToken,
      ignoreMerges: this.ignoreMerges,
      chatTemplate: this.chatTemplate,
      modelMaxLength: this.modelMaxLength,
      normalizer: this.normalizer,
      splitRegex: this.splitRegex,
      cleanUpTokenizationSpaces: this.cleanUpTokenizationSpaces,
    };
  }

  /**
   * The Hugging Face `tokenizer.json` object (BPE model, ByteLevel pre-tokenizer and decoder, special added
   * tokens). BOS/EOS names, the chat template and `modelMaxLength` live in {@link toTokenizerConfig}.
   */
  toJSON(): HfTokenizerJson {
    return tokenizerJsonFromState(this.state());
  }

  /** The matching `tokenizer_config.json` object (special token names, chat template, no space clean-up). */
  toTokenizerConfig(): HfTokenizerConfig {
    return tokenizerConfigFromState(this.state());
  }

  /**
   * Builds a fast-path tokenizer from a parsed `tokenizer.json` and optionally `tokenizer_config.json` (for any
   * standard file use `tokenizerFromJSON`, which falls back to `@huggingface/tokenizers`). Without a config,
   * BOS/EOS come from a `TemplateProcessing` post-processor or default to `<|endoftext|>`, and the pad token to
   * `<|pad|>`, when those are added tokens.
   * @throws TokenizerJsonError naming the bad field (a `FastPathUnsupportedError` for a valid file outside the fast path).
   */
  static fromJSON(json: unknown, tokenizerConfig?: unknown): BpeTokenizer {
    const init = parseTokenizerJson(json, tokenizerConfig);
    try {
      return new BpeTokenizer(init);
    } catch (error) {
      if (error instanceof TokenizerOptionError) {
        const field = error.field.replace(/^(merges|vocab)\b/, 'model.$1');
        throw new TokenizerJsonError(field, error.message.slice(error.field.length + 2));
      }
      throw error;
    }
  }
}
