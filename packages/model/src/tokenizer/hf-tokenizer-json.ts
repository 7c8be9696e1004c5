/**
 * The Hugging Face `tokenizer.json` (and `tokenizer_config.json`) format for byte-level BPE: serialization of a
 * tokenizer's state and validated parsing back into a {@link BpeTokenizerInit}.
 *
 * Written files load in `tokenizers` (Rust/Python), `transformers` (`PreTrainedTokenizerFast`) and
 * `@huggingface/tokenizers`. {@link fastPathInit} accepts exactly the family the fast engine reproduces: model
 * `BPE` (merges as `"a b"` strings or `["a", "b"]` pairs, no byte fallback, no subword prefix/suffix), no
 * normalizer or `NFC` (Qwen), a `ByteLevel` pre-tokenizer with the GPT-2 regex or a `Sequence` of a `Split`
 * regex (`Isolated`) and a regex-free `ByteLevel` (Llama 3, GPT-4o, Qwen), a `ByteLevel` (or no) decoder, and a
 * `ByteLevel`, `TemplateProcessing` (BOS/EOS around the sequence) or no post-processor. {@link checkTokenizerJson}
 * validates any standard file (component types `@huggingface/tokenizers` knows); a bad or unknown field is a
 * {@link TokenizerJsonError} naming it.
 *
 * @packageDocumentation
 */
import type { BpeTokenizerInit } from './bpe-init';
import { FastPathUnsupportedError, TokenizerJsonError } from './errors';
import type { AddedTokenSpec } from './tokenizer';
import { isObject, parseTokenizerConfig, typeName } from './tokenizer-config';

/** An entry of `added_tokens` in `tokenizer.json`. */
export interface HfAddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** The `tokenizer.json` object written by {@link tokenizerJsonFromState} (the subset of the HF schema used here). */
export interface HfTokenizerJson {
  version: string;
  truncation: null;
  padding: null;
  added_tokens: HfAddedToken[];
  normalizer: { type: 'NFC' } | null;
  pre_tokenizer: Record<string, unknown>;
  post_processor: Record<string, unknown> | null;
  decoder: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: string | null;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: boolean;
    byte_fallback: boolean;
    ignore_merges: boolean;
    vocab: Record<string, number>;
    merges: string[] | [string, string][];
  };
}

/** The `tokenizer_config.json` fields this module reads and writes. */
export interface HfTokenizerConfig {
  tokenizer_class?: string;
  bos_token?: string | { content: string } | null;
  eos_token?: string | { content: string } | null;
  pad_token?: string | { content: string } | null;
  unk_token?: string | { content: string } | null;
  add_bos_token?: boolean;
  add_eos_token?: boolean;
  chat_template?: string | { name: string; template: string }[] | null;
  model_max_length?: number;
  clean_up_tokenization_spaces?: boolean;
  added_tokens_decoder?: Record<string, Omit<HfAddedToken, 'id'>>;
  [key: string]: unknown;
}

/** What {@link tokenizerJsonFromState} needs from a tokenizer. */
export interface TokenizerState {
  vocab: ReadonlyMap<string, number>;
  merges: readonly (readonly [string, string])[];
  addedTokens: readonly AddedTokenSpec[];
  bosToken: string | null;
  eosToken: string | null;
  padToken: string | null;
  unkToken: string | null;
  addBosToken: boolean;
  addEosToken: boolean;
  ignoreMerges: boolean;
  chatTemplate: string | null;
  modelMaxLength: number | null;
  normalizer: 'NFC' | null;
  splitRegex: string | null;
  cleanUpTokenizationSpaces: boolean;
}

function templateProcessing(state: TokenizerState, tokenToId: (t: string) => number): Record<string, unknown> {
  const single: unknown[] = [];
  const pair: unknown[] = [];
  const specials: Record<string, unknown> = {};
  const special = (tok: string, typeId: number) => {
    specials[tok] = { id: tok, ids: [tokenToId(tok)], tokens: [tok] };
    return { SpecialToken: { id: tok, type_id: typeId } };
  };
  if (state.addBosToken && state.bosToken !== null) {
    single.push(special(state.bosToken, 0));
    pair.push(special(state.bosToken, 0));
  }
  single.push({ Sequence: { id: 'A', type_id: 0 } });
  pair.push({ Sequence: { id: 'A', type_id: 0 } });
  if (state.addEosToken && state.eosToken !== null) {
    single.push(special(state.eosToken, 0));
    pair.push(special(state.eosToken, 0));
  }
  if (state.addBosToken && state.bosToken !== null) pair.push(special(state.bosToken, 1));
  pair.push({ Sequence: { id: 'B', type_id: 1 } });
  if (state.addEosToken && state.eosToken !== null) pair.push(special(state.eosToken, 1));
  return { type: 'TemplateProcessing', single, pair, special_tokens: specials };
}

/** Serializes a tokenizer's state as a Hugging Face `tokenizer.json` object. */
export function tokenizerJsonFromState(state: TokenizerState): HfTokenizerJson {
  const vocab: Record<string, number> = {};
  const sorted = [...state.vocab.entries()].sort((x, y) => x[1] - y[1]);
  for (const [tok, id] of sorted) vocab[tok] = id;
  const spaced = state.merges.some((m) => m[0].includes(' ') || m[1].includes(' '));
  const merges = spaced
    ? state.merges.map((m) => [m[0], m[1]] as [string, string])
    : state.merges.map((m) => `${m[0]} ${m[1]}`);
  const tokenToId = (t: string) => state.vocab.get(t) as number;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...state.addedTokens]
      .sort((x, y) => x.id - y.id)
      .map((t) => ({ id: t.id, content: t.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: t.special })),
    normalizer: state.normalizer === 'NFC' ? { type: 'NFC' } : null,
    pre_tokenizer:
      state.splitRegex === null
        ? { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }
        : {
            type: 'Sequence',
            pretokenizers: [
              { type: 'Split', pattern: { Regex: state.splitRegex }, behavior: 'Isolated', invert: false },
              { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
            ],
          },
    post_processor:
      state.addBosToken || state.addEosToken
        ? templateProcessing(state, tokenToId)
        : { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: state.unkToken,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: state.ignoreMerges,
      vocab,
      merges,
    },
  };
}

/** A `tokenizer_config.json` object for the state (what `transformers`' `AutoTokenizer` reads). */
export function tokenizerConfigFromState(state: TokenizerState): HfTokenizerConfig {
  const decoder: Record<string, Omit<HfAddedToken, 'id'>> = {};
  for (const t of [...state.addedTokens].sort((x, y) => x.id - y.id)) {
    decoder[String(t.id)] = { content: t.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: t.special };
  }
  const cfg: HfTokenizerConfig = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    add_bos_token: state.addBosToken,
    add_eos_token: state.addEosToken,
    added_tokens_decoder: decoder,
    bos_token: state.bosToken,
    eos_token: state.eosToken,
    pad_token: state.padToken,
    unk_token: state.unkToken,
    clean_up_tokenization_spaces: state.cleanUpTokenizationSpaces,
  };
  if (state.chatTemplate !== null) cfg.chat_template = state.chatTemplate;
  if (state.modelMaxLength !== null) cfg.model_max_length = state.modelMaxLength;
  return cfg;
}


/** Component types of `tokenizer.json` that `@huggingface/tokenizers` implements, per section. */
export const KNOWN_COMPONENTS = {
  normalizer: ['BertNormalizer', 'Precompiled', 'Sequence', 'Replace', 'NFC', 'NFD', 'NFKC', 'NFKD', 'Strip', 'StripAccents', 'Lowercase', 'Prepend'],
  pre_tokenizer: ['BertPreTokenizer', 'Sequence', 'Whitespace', 'WhitespaceSplit', 'Metaspace', 'ByteLevel', 'Split', 'Punctuation', 'Digits', 'Replace', 'FixedLength'],
  post_processor: ['TemplateProcessing', 'ByteLevel', 'BertProcessing', 'RobertaProcessing', 'Sequence'],
  decoder: ['ByteLevel', 'WordPiece', 'Metaspace', 'BPEDecoder', 'CTC', 'Sequence', 'Replace', 'Fuse', 'Strip', 'ByteFallback'],
  model: ['BPE', 'WordPiece', 'Unigram'],
} as const;

const SEQUENCE_KEY = { normalizer: 'normalizers', pre_tokenizer: 'pretokenizers', post_processor: 'processors', decoder: 'decoders' } as const;

function checkPattern(p: unknown, field: string): void {
  if (!isObject(p) || (typeof p.Regex !== 'string' && typeof p.String !== 'string')) {
    throw new TokenizerJsonError(field, `must be {Regex: string} or {String: string}, got ${isObject(p) ? JSON.stringify(Object.keys(p)) : typeName(p)}`);
  }
}

function checkComponent(section: keyof typeof SEQUENCE_KEY, c: unknown, field: string): void {
  if (c === undefined || c === null) return;
  if (!isObject(c)) throw new TokenizerJsonError(field, `must be an object or null, got ${typeName(c)}`);
  const known: readonly string[] = KNOWN_COMPONENTS[section];
  if (typeof c.type !== 'string' || !known.includes(c.type)) {
    throw new TokenizerJsonError(`${field}.type`, `unknown ${section} type ${JSON.stringify(c.type)} (known: ${known.join(', ')})`);
  }
  if (c.type === 'Sequence') {
    const key = SEQUENCE_KEY[section];
    const list = c[key];
    if (!Array.isArray(list)) throw new TokenizerJsonError(`${field}.${key}`, `must be an array, got ${typeName(list)}`);
    list.forEach((x: unknown, i: number) => {
      if (x === null) throw new TokenizerJsonError(`${field}.${key}[${i}]`, 'must be an object, got null');
      checkComponent(section, x, `${field}.${key}[${i}]`);
    });
  }
  if ((c.type === 'Split' || c.type === 'Replace') && section !== 'post_processor') checkPattern(c.pattern, `${field}.pattern`);
  if (c.type === 'Replace' && typeof c.content !== 'string') throw new TokenizerJsonError(`${field}.content`, `must be a string, got ${typeName(c.content)}`);
}

/** Validates `added_tokens` (ids, contents, flags). */
export function parseAddedTokens(json: Record<string, unknown>, vocab?: ReadonlyMap<string, number>): (AddedTokenSpec & { lstrip: boolean; rstrip: boolean; singleWord: boolean; normalized: boolean })[] {
  const addedRaw = json.added_tokens ?? [];
  if (!Array.isArray(addedRaw)) throw new TokenizerJsonError('added_tokens', `must be an array, got ${typeName(addedRaw)}`);
  return addedRaw.map((t: unknown, i: number) => {
    if (!isObject(t)) throw new TokenizerJsonError(`added_tokens[${i}]`, `must be an object, got ${typeName(t)}`);
    if (typeof t.id !== 'number' || !Number.isInteger(t.id) || t.id < 0) {
      throw new TokenizerJsonError(`added_tokens[${i}].id`, `must be a non-negative integer, got ${JSON.stringify(t.id)}`);
    }
    if (typeof t.content !== 'string' || t.content.length === 0) {
      throw new TokenizerJsonError(`added_tokens[${i}].content`, `must be a non-empty string, got ${JSON.stringify(t.content)}`);
    }
    for (const flag of ['special', 'lstrip', 'rstrip', 'single_word', 'normalized'] as const) {
      if (t[flag] !== undefined && typeof t[flag] !== 'boolean') {
        throw new TokenizerJsonError(`added_tokens[${i}].${flag}`, `must be a boolean, got ${typeName(t[flag])}`);
      }
    }
    const inVocab = vocab?.get(t.content);
    if (inVocab !== undefined && inVocab !== t.id) {
      throw new TokenizerJsonError(`added_tokens[${i}].id`, `${JSON.stringify(t.content)} has id ${t.id} but model.vocab gives ${inVocab}`);
    }
    return {
      id: t.id,
      content: t.content,
      special: t.special === true,
      lstrip: t.lstrip === true,
      rstrip: t.rstrip === true,
      singleWord: t.single_word === true,
      normalized: t.normalized === true,
    };
  });
}

/**
 * Validates the structure of any standard `tokenizer.json`: an object with a `model` of a known type and known
 * normalizer / pre-tokenizer / post-processor / decoder types (recursively through `Sequence`), well-formed
 * patterns and added tokens.
 * @throws TokenizerJsonError naming the first bad field (e.g. `pre_tokenizer.pretokenizers[0].type`).
 */
export function checkTokenizerJson(json: unknown): asserts json is Record<string, unknown> & { model: Record<string, unknown> } {
  if (!isObject(json)) throw new TokenizerJsonError('(root)', `must be an object, got ${typeName(json)}`);
  const model = json.model;
  if (!isObject(model)) throw new TokenizerJsonError('model', `must be an object, got ${typeName(model)}`);
  const models: readonly string[] = KNOWN_COMPONENTS.model;
  if (typeof model.type !== 'string' || !models.includes(model.type)) {
    throw new TokenizerJsonError('model.type', `must be one of ${models.join(', ')}, got ${JSON.stringify(model.type)}`);
  }
  if (model.vocab === undefined) throw new TokenizerJsonError('model.vocab', 'is missing');
  if (model.type === 'BPE' && !Array.isArray(model.merges)) throw new TokenizerJsonError('model.merges', `must be an array, got ${typeName(model.merges)}`);
  for (const section of ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder'] as const) checkComponent(section, json[section], section);
  parseAddedTokens(json);
}

/** BOS/EOS a `TemplateProcessing` post-processor puts around a single sequence, or null for other shapes. */
export function simpleTemplate(post: unknown): { bos?: string; eos?: string } | null {
  if (!isObject(post) || post.type !== 'TemplateProcessing') return null;
  const single = post.single;
  if (!Array.isArray(single)) throw new TokenizerJsonError('post_processor.single', 'must be an array');
  const seqAt = single.findIndex((p: unknown) => isObject(p) && isObject(p.Sequence));
  if (seqAt < 0 || seqAt > 1 || single.length - seqAt - 1 > 1) return null;
  const specialOf = (p: unknown, field: string): string => {
    if (!isObject(p) || !isObject(p.SpecialToken) || typeof p.SpecialToken.id !== 'string') {
      throw new TokenizerJsonError(field, 'must be {SpecialToken: {id: string}}');
    }
    return p.SpecialToken.id;
  };
  const out: { bos?: string; eos?: string } = {};
  if (seqAt === 1) out.bos = specialOf(single[0], 'post_processor.single[0]');
  if (single.length - seqAt - 1 === 1) out.eos = specialOf(single[seqAt + 1], `post_processor.single[${seqAt + 1}]`);
  return out;
}

function notFast(field: string, reason: string): never {
  throw new FastPathUnsupportedError(field, reason);
}

function emptyish(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

function fastPreTokenizer(pre: unknown): string | null {
  const byteLevel = (p: unknown, field: string, useRegex: boolean) => {
    if (!isObject(p) || p.type !== 'ByteLevel') notFast(field, `must be {type: "ByteLevel"} for the fast path, got ${isObject(p) ? JSON.stringify(p.type) : typeName(p)}`);
    if (p.add_prefix_space === true) notFast(`${field}.add_prefix_space`, 'is not supported by the fast path (must be false)');
    if ((p.use_regex !== false) !== useRegex) notFast(`${field}.use_regex`, `must be ${useRegex} here for the fast path`);
  };
  if (isObject(pre) && pre.type === 'Sequence') {
    const list = pre.pretokenizers;
    if (!Array.isArray(list) || list.length !== 2) notFast('pre_tokenizer.pretokenizers', 'the fast path takes [Split, ByteLevel]');
    const split = list[0];
    if (!isObject(split) || split.type !== 'Split') notFast('pre_tokenizer.pretokenizers[0]', 'must be a Split for the fast path');
    if (!isObject(split.pattern) || typeof split.pattern.Regex !== 'string') notFast('pre_tokenizer.pretokenizers[0].pattern', 'must be {Regex} for the fast path');
    if (split.behavior !== 'Isolated') notFast('pre_tokenizer.pretokenizers[0].behavior', `must be "Isolated" for the fast path, got ${JSON.stringify(split.behavior)}`);
    if (split.invert === true) notFast('pre_tokenizer.pretokenizers[0].invert', 'must be false for the fast path');
    byteLevel(list[1], 'pre_tokenizer.pretokenizers[1]', false);
    return split.pattern.Regex;
  }
  byteLevel(pre, 'pre_tokenizer', true);
  return null;
}

/**
 * The `BpeTokenizer` input for a `tokenizer.json` (+ optional `tokenizer_config.json`) the fast engine
 * reproduces exactly.
 * @throws TokenizerJsonError naming the first bad field, or the first field outside the fast path (then the
 * error is a `FastPathUnsupportedError`; `tokenizerFromJSON` serves such files with `@huggingface/tokenizers`).
 */
export function fastPathInit(json: unknown, config?: unknown): BpeTokenizerInit & { ignoreMerges: boolean } {
  checkTokenizerJson(json);
  const model = json.model;
  if (model.type !== 'BPE') notFast('model.type', `must be "BPE" for the fast path, got ${JSON.stringify(model.type)}`);
  for (const key of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) {
    if (!emptyish(model[key])) notFast(`model.${key}`, 'is not supported by byte-level BPE (must be null)');
  }
  if (model.byte_fallback === true) notFast('model.byte_fallback', 'is not supported by the fast path (must be false)');
  if (model.dropout !== undefined && model.dropout !== null && model.dropout !== 0) {
    throw new TokenizerJsonError('model.dropout', 'BPE dropout is not supported (must be null)');
  }
  const ignoreMerges = model.ignore_merges === true;
  if (!isObject(model.vocab)) throw new TokenizerJsonError('model.vocab', `must be an object token → id, got ${typeName(model.vocab)}`);
  const vocab = new Map<string, number>();
  for (const [tok, id] of Object.entries(model.vocab)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new TokenizerJsonError(`model.vocab[${JSON.stringify(tok)}]`, `must be a non-negative integer id, got ${JSON.stringify(id)}`);
    }
    vocab.set(tok, id);
  }
  // (that every merge's tokens are in the vocabulary is checked by the BpeTokenizer constructor, once)
  const rawMerges = model.merges as unknown[];
  const merges: [string, string][] = new Array(rawMerges.length);
  for (let i = 0; i < rawMerges.length; i++) {
    const m = rawMerges[i];
    if (typeof m === 'string') {
      const sp = m.indexOf(' ');
      if (sp <= 0 || sp === m.length - 1 || m.indexOf(' ', sp + 1) >= 0) {
        throw new TokenizerJsonError(`model.merges[${i}]`, `must be "left right" with exactly one space, got ${JSON.stringify(m)}`);
      }
      merges[i] = [m.slice(0, sp), m.slice(sp + 1)];
    } else if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') {
      merges[i] = m as [string, string];
    } else {
      throw new TokenizerJsonError(`model.merges[${i}]`, `must be a "left right" string or a [left, right] pair, got ${JSON.stringify(m)}`);
    }
  }
  const added = parseAddedTokens(json, vocab);

  const norm = json.normalizer;
  let normalizer: 'NFC' | null = null;
  if (norm !== undefined && norm !== null) {
    if (!isObject(norm) || norm.type !== 'NFC') notFast('normalizer', `the fast path takes no normalizer or {type: "NFC"}, got ${isObject(norm) ? JSON.stringify(norm.type) : typeName(norm)}`);
    normalizer = 'NFC';
  }
  added.forEach((t, i) => {
    for (const [flag, on] of [['lstrip', t.lstrip], ['rstrip', t.rstrip], ['single_word', t.singleWord]] as const) {
      if (on) notFast(`added_tokens[${i}].${flag}`, 'is not supported by the fast path (must be false)');
    }
    if (t.normalized && normalizer !== null) notFast(`added_tokens[${i}].normalized`, 'normalized added tokens with a normalizer are not supported by the fast path');
  });
  const addedTokens: AddedTokenSpec[] = added.map((t) => ({ id: t.id, content: t.content, special: t.special }));
  const splitRegex = fastPreTokenizer(json.pre_tokenizer);
  const dec = json.decoder;
  if (dec !== undefined && dec !== null && (!isObject(dec) || dec.type !== 'ByteLevel')) {
    notFast('decoder', `the fast path takes {type: "ByteLevel"} or null, got ${isObject(dec) ? JSON.stringify(dec.type) : typeName(dec)}`);
  }

  const tokenOf = (field: string, t: string): string => {
    if (!vocab.has(t) && !addedTokens.some((a) => a.content === t)) {
      throw new TokenizerJsonError(field, `token ${JSON.stringify(t)} is not in the vocabulary`);
    }
    return t;
  };
  let bos: string | null | undefined;
  let eos: string | null | undefined;
  let addBosToken = false;
  let addEosToken = false;
  const post = json.post_processor;
  if (post !== undefined && post !== null) {
    const tpl = simpleTemplate(post);
    if (tpl !== null) {
      if (tpl.bos !== undefined) {
        bos = tokenOf('post_processor.single[0]', tpl.bos);
        addBosToken = true;
      }
      if (tpl.eos !== undefined) {
        eos = tokenOf('post_processor.single', tpl.eos);
        addEosToken = true;
      }
    } else if ((post as Record<string, unknown>).type !== 'ByteLevel') {
      notFast('post_processor.type', `the fast path takes ByteLevel or a [BOS?, $A, EOS?] TemplateProcessing, got ${JSON.stringify((post as Record<string, unknown>).type)}`);
    }
  }

  let unk: string | null = null;
  if (model.unk_token !== undefined && model.unk_token !== null) {
    if (typeof model.unk_token !== 'string') throw new TokenizerJsonError('model.unk_token', 'must be a string or null');
    unk = tokenOf('model.unk_token', model.unk_token);
  }
  const cfg = parseTokenizerConfig(config);
  let pad: string | null | undefined;
  if (cfg.bosToken !== undefined) bos = cfg.bosToken === null ? (addBosToken ? bos : null) : tokenOf('tokenizer_config.bos_token', cfg.bosToken);
  if (cfg.eosToken !== undefined) eos = cfg.eosToken === null ? (addEosToken ? eos : null) : tokenOf('tokenizer_config.eos_token', cfg.eosToken);
  if (cfg.padToken !== undefined) pad = cfg.padToken === null ? null : tokenOf('tokenizer_config.pad_token', cfg.padToken);
  if (cfg.unkToken !== undefined && cfg.unkToken !== null) unk = tokenOf('tokenizer_config.unk_token', cfg.unkToken);
  if (cfg.addBosToken !== undefined) addBosToken = cfg.addBosToken;
  if (cfg.addEosToken !== undefined) addEosToken = cfg.addEosToken;
  const hasAdded = (t: string) => addedTokens.some((a) => a.content === t);
  if (bos === undefined) bos = hasAdded('<|endoftext|>') ? '<|endoftext|>' : null;
  if (eos === undefined) eos = hasAdded('<|endoftext|>') ? '<|endoftext|>' : null;
  if (pad === undefined) pad = hasAdded('<|pad|>') ? '<|pad|>' : null;
  if (addBosToken && bos === null) throw new TokenizerJsonError('tokenizer_config.add_bos_token', 'is true but there is no bos_token');
  if (addEosToken && eos === null) throw new TokenizerJsonError('tokenizer_config.add_eos_token', 'is true but there is no eos_token');
  return {
    vocab,
    merges,
    addedTokens,
    bosToken: bos,
    eosToken: eos,
    padToken: pad,
    unkToken: unk,
    addBosToken,
    addEosToken,
    ignoreMerges,
    chatTemplate: cfg.chatTemplate,
    modelMaxLength: cfg.modelMaxLength,
    normalizer,
    splitRegex,
    cleanUpTokenizationSpaces: cfg.cleanUpTokenizationSpaces ?? false,
  };
}

/**
 * Validates a parsed `tokenizer.json` (and optionally `tokenizer_config.json`) of the byte-level BPE family and
 * returns the `BpeTokenizer` constructor input (same as {@link fastPathInit}).
 * @throws TokenizerJsonError naming the first bad or unsupported field (e.g. `model.vocab["a"]`, `added_tokens[2].id`).
 */
export function parseTokenizerJson(json: unknown, config?: unknown): BpeTokenizerInit & { ignoreMerges: boolean } {
  return fastPathInit(json, config);
}
