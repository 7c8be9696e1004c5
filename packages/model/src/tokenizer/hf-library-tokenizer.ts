/**
 * Any standard Hugging Face `tokenizer.json` (SentencePiece-style BPE with byte fallback such as Llama 2,
 * WordPiece, Unigram, Metaspace, ...) served by `@huggingface/tokenizers`, the reference implementation, behind
 * this package's {@link Tokenizer} interface.
 *
 * @packageDocumentation
 */
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { fromByteLevel, utf8Encode } from './byte-level';
import { renderChatTemplate, type ChatMessage } from './chat-template';
import { DecodeStream, type DecodeStreamOptions } from './decode-stream';
import { encodeBatchWith } from './encode-batch';
import { TokenizerJsonError, TokenizerOptionError, UnknownTokenIdError } from './errors';
import { checkTokenizerJson, parseAddedTokens, simpleTemplate } from './hf-tokenizer-json';
import type {
  AddedTokenSpec,
  ApplyChatTemplateOptions,
  BatchEncoding,
  DecodeOptions,
  EncodeBatchOptions,
  EncodeOptions,
  Tokenizer,
} from './tokenizer';
import { isObject, parseTokenizerConfig } from './tokenizer-config';

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;

/** True when `type` is the component's type or the type of one of its `Sequence` members. */
function usesComponent(c: unknown, listKey: string, type: string): boolean {
  if (!isObject(c)) return false;
  if (c.type === type) return true;
  const list = c[listKey];
  return c.type === 'Sequence' && Array.isArray(list) && list.some((x) => usesComponent(x, listKey, type));
}

/**
 * A {@link Tokenizer} backed by `@huggingface/tokenizers` (ids and text are the library's). Special tokens
 * follow `tokenizer_config.json`: `add_bos_token` / `add_eos_token` override a `[BOS?, $A, EOS?]`
 * `TemplateProcessing` post-processor (as `transformers` does for Llama); other post-processors
 * (`BertProcessing`, pair templates, ...) are applied by the library as they are.
 */
export class HfLibraryTokenizer implements Tokenizer {
  /** Served by `@huggingface/tokenizers`. */
  readonly engine = 'library' as const;
  readonly vocabSize: number;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly padToken: string | null;
  readonly unkToken: string | null;
  readonly addBosToken: boolean;
  readonly addEosToken: boolean;
  readonly chatTemplate: string | null;
  readonly modelMaxLength: number | null;
  readonly cleanUpTokenizationSpaces: boolean;
  private readonly hf: HfTokenizer;
  private readonly json: Record<string, unknown>;
  private readonly config: Record<string, unknown>;
  private readonly added: AddedTokenSpec[];
  private readonly addedById = new Map<number, AddedTokenSpec>();
  private readonly special: number[];
  /** The post-processor is something other than nothing / ByteLevel / a single-sequence BOS/EOS template. */
  private readonly complexPost: boolean;
  private readonly byteLevelDecoder: boolean;
  private readonly byteFallback: boolean;
  private readonly bytesCache = new Map<number, Uint8Array>();

  /**
   * @param json - a parsed `tokenizer.json`
   * @param config - a parsed `tokenizer_config.json`, if any
   * @throws TokenizerJsonError naming the bad field (unknown component types included).
   */
  constructor(json: unknown, config?: unknown) {
    checkTokenizerJson(json);
    const cfg = parseTokenizerConfig(config);
    this.json = json;
    this.config = isObject(config) ? config : {};
    this.cleanUpTokenizationSpaces = cfg.cleanUpTokenizationSpaces ?? false;
    const full = {
      ...json,
      normalizer: json.normalizer ?? null,
      pre_tokenizer: json.pre_tokenizer ?? null,
      post_processor: json.post_processor ?? null,
      decoder: json.decoder ?? null,
      added_tokens: json.added_tokens ?? [],
    };
    try {
      this.hf = new HfTokenizer(full, { ...this.config, clean_up_tokenization_spaces: this.cleanUpTokenizationSpaces });
    } catch (error) {
      throw new TokenizerJsonError('(root)', `@huggingface/tokenizers cannot load it: ${(error as Error).message}`);
    }
    const addedFull = parseAddedTokens(json);
    this.added = addedFull.map((t) => ({ id: t.id, content: t.content, special: t.special }));
    for (const t of this.added) this.addedById.set(t.id, t);
    let maxId = -1;
    for (const id of this.hf.get_vocab(true).values()) if (id > maxId) maxId = id;
    for (const t of this.added) if (t.id > maxId) maxId = t.id;
    this.vocabSize = maxId + 1;
    const specials = new Set(this.added.filter((t) => t.special).map((t) => t.id));
    for (const c of cfg.additionalSpecialTokens) {
      const id = this.hf.token_to_id(c);
      if (id !== undefined) specials.add(id);
    }
    this.special = [...specials].sort((a, b) => a - b);

    const tokenOf = (field: string, t: string | null | undefined): string | null | undefined => {
      if (t === undefined || t === null) return t;
      if (this.hf.token_to_id(t) === undefined) throw new TokenizerJsonError(field, `token ${JSON.stringify(t)} is not in the vocabulary`);
      return t;
    };
    const post = json.post_processor;
    const tpl = simpleTemplate(post);
    this.complexPost = post !== undefined && post !== null && tpl === null && (post as Record<string, unknown>).type !== 'ByteLevel';
    const model = json.model;
    const modelUnk = typeof model.unk_token === 'string' ? model.unk_token : null;
    this.bosToken = tokenOf('tokenizer_config.bos_token', cfg.bosToken) ?? tokenOf('post_processor.single[0]', tpl?.bos) ?? null;
    this.eosToken = tokenOf('tokenizer_config.eos_token', cfg.eosToken) ?? tokenOf('post_processor.single', tpl?.eos) ?? null;
    this.padToken = tokenOf('tokenizer_config.pad_token', cfg.padToken) ?? null;
    this.unkToken = tokenOf('tokenizer_config.unk_token', cfg.unkToken) ?? tokenOf('model.unk_token', modelUnk) ?? null;
    this.addBosToken = this.complexPost ? false : (cfg.addBosToken ?? tpl?.bos !== undefined);
    this.addEosToken = this.complexPost ? false : (cfg.addEosToken ?? tpl?.eos !== undefined);
    if (this.addBosToken && this.bosToken === null) throw new TokenizerJsonError('tokenizer_config.add_bos_token', 'is true but there is no bos_token');
    if (this.addEosToken && this.eosToken === null) throw new TokenizerJsonError('tokenizer_config.add_eos_token', 'is true but there is no eos_token');
    this.chatTemplate = cfg.chatTemplate;
    this.modelMaxLength = cfg.modelMaxLength;
    this.byteLevelDecoder = usesComponent(json.decoder, 'decoders', 'ByteLevel');
    this.byteFallback = usesComponent(json.decoder, 'decoders', 'ByteFallback');
  }

  get bosTokenId(): number | undefined {
    return this.bosToken === null ? undefined : this.hf.token_to_id(this.bosToken);
  }

  get eosTokenId(): number | undefined {
    return this.eosToken === null ? undefined : this.hf.token_to_id(this.eosToken);
  }

  get padTokenId(): number | undefined {
    return this.padToken === null ? undefined : this.hf.token_to_id(this.padToken);
  }

  get unkTokenId(): number | undefined {
    return this.unkToken === null ? undefined : this.hf.token_to_id(this.unkToken);
  }

  get addedTokens(): AddedTokenSpec[] {
    return this.added.map((t) => ({ ...t }));
  }

  get specialTokenIds(): number[] {
    return [...this.special];
  }

  /** Token ids of `text` (the library's), with BOS/EOS per {@link addBosToken}/{@link addEosToken} when `addSpecialTokens`. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== 'string') throw new TokenizerOptionError('text', `must be a string, got ${typeof text}`);
    const addSpecial = options.addSpecialTokens ?? false;
    if (this.complexPost) return this.hf.encode(text, { add_special_tokens: addSpecial }).ids;
    const ids = text.length === 0 ? [] : this.hf.encode(text, { add_special_tokens: false }).ids;
    if (addSpecial && this.addBosToken) ids.unshift(this.bosTokenId as number);
    if (addSpecial && this.addEosToken) ids.push(this.eosTokenId as number);
    return ids;
  }

  tokenize(text: string, options: EncodeOptions = {}): string[] {
    return this.encode(text, options).map((id) => this.hf.id_to_token(id) as string);
  }

  /**
   * Text of `ids` (the library's decode, with this tokenizer's clean-up setting).
   * @throws UnknownTokenIdError for an id outside the vocabulary.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const list: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || this.hf.id_to_token(id) === undefined) throw new UnknownTokenIdError(id, i, this.vocabSize);
      list.push(id);
    }
    if (list.length === 0) return '';
    return this.hf.decode(list, { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  /**
   * Bytes of one token: added tokens as their content, byte-level symbols as bytes, `<0xXX>` byte-fallback
   * tokens as that byte, other tokens as their UTF-8 text (`▁` as a space).
   */
  tokenBytes(id: number): Uint8Array | undefined {
    const cached = this.bytesCache.get(id);
    if (cached !== undefined) return cached;
    const tok = Number.isInteger(id) && id >= 0 ? this.hf.id_to_token(id) : undefined;
    if (tok === undefined) return undefined;
    let bytes: Uint8Array;
    const m = this.byteFallback ? BYTE_TOKEN.exec(tok) : null;
    if (this.addedById.has(id)) bytes = utf8Encode(tok);
    else if (this.byteLevelDecoder) bytes = fromByteLevel(tok);
    else if (m !== null) bytes = Uint8Array.of(parseInt(m[1], 16));
    else bytes = utf8Encode(tok.replaceAll('\u2581', ' '));
    this.bytesCache.set(id, bytes);
    return bytes;
  }

  tokenToId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.hf.id_to_token(id);
  }

  encodeBatch(texts: readonly string[], options: EncodeBatchOptions = {}): BatchEncoding {
    return encodeBatchWith((t, o) => this.encode(t, o), this.padTokenId, texts, options);
  }

  applyChatTemplate(messages: readonly ChatMessage[], options: ApplyChatTemplateOptions = {}): string {
    return renderChatTemplate(messages, {
      template: options.template ?? this.chatTemplate ?? undefined,
      addGenerationPrompt: options.addGenerationPrompt,
      bosToken: this.bosToken ?? undefined,
      eosToken: this.eosToken ?? undefined,
      extra: options.extra,
    });
  }

  decodeStream(options: DecodeStreamOptions = {}): DecodeStream {
    return new DecodeStream(this, options);
  }

  /** The `tokenizer.json` object this tokenizer was built from (shared, not copied: do not mutate it). */
  toJSON(): Record<string, unknown> {
    return this.json;
  }

  /** The `tokenizer_config.json` it was built from, with the resolved special tokens and settings. */
  toTokenizerConfig(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      ...this.config,
      bos_token: this.bosToken,
      eos_token: this.eosToken,
      pad_token: this.padToken,
      unk_token: this.unkToken,
      clean_up_tokenization_spaces: this.cleanUpTokenizationSpaces,
    };
    if (!this.complexPost) {
      out.add_bos_token = this.addBosToken;
      out.add_eos_token = this.addEosToken;
    }
    if (this.chatTemplate !== null) out.chat_template = this.chatTemplate;
    return out;
  }
}
