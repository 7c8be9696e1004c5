/**
 * The Hugging Face `tokenizer.json` (and `tokenizer_config.json`) format for byte-level BPE: serialization of a
 * tokenizer's state and validated parsing back into a {@link BpeTokenizerInit}.
 *
 * Written files load in `tokenizers` (Rust/Python), `transformers` (`PreTrainedTokenizerFast`) and
 * `@huggingface/tokenizers`. Parsing accepts exactly that family: model `BPE` (merges as `"a b"` strings or
 * `["a", "b"]` pairs), no normalizer, `ByteLevel` pre-tokenizer with the GPT-2 regex and no prefix space,
 * `ByteLevel` (or no) decoder, and a `ByteLevel`, `TemplateProcessing` (BOS/EOS around the sequence) or no
 * post-processor. Anything else is rejected with a {@link TokenizerJsonError} naming the field.
 *
 * @packageDocumentation
 */
import type { AddedTokenSpec, BpeTokenizerInit } from './bpe-tokenizer';
import { TokenizerJsonError } from './errors';

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
  normalizer: null;
  pre_tokenizer: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
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
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
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
    clean_up_tokenization_spaces: false,
  };
  if (state.chatTemplate !== null) cfg.chat_template = state.chatTemplate;
  if (state.modelMaxLength !== null) cfg.model_max_length = state.modelMaxLength;
  return cfg;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function optionalToken(cfg: Record<string, unknown>, key: string): string | null | undefined {
  const v = cfg[key];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  throw new TokenizerJsonError(`tokenizer_config.${key}`, `must be a string, {content: string} or null, got ${typeName(v)}`);
}

/**
 * Validates a parsed `tokenizer.json` (and optionally `tokenizer_config.json`) and returns the tokenizer's
 * constructor input.
 * @throws TokenizerJsonError naming the first bad field (e.g. `model.vocab["a"]`, `added_tokens[2].id`).
 */
export function parseTokenizerJson(json: unknown, config?: unknown): BpeTokenizerInit & { ignoreMerges: boolean } {
  if (!isObject(json)) throw new TokenizerJsonError('(root)', `must be an object, got ${typeName(json)}`);
  const model = json.model;
  if (!isObject(model)) throw new TokenizerJsonError('model', `must be an object, got ${typeName(model)}`);
  if (model.type !== 'BPE') throw new TokenizerJsonError('model.type', `must be "BPE", got ${JSON.stringify(model.type)}`);
  for (const key of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) {
    if (model[key] !== undefined && model[key] !== null && model[key] !== '') {
      throw new TokenizerJsonError(`model.${key}`, 'is not supported by byte-level BPE (must be null)');
    }
  }
  if (model.byte_fallback === true) throw new TokenizerJsonError('model.byte_fallback', 'is not supported (must be false)');
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
  if (!Array.isArray(model.merges)) throw new TokenizerJsonError('model.merges', `must be an array, got ${typeName(model.merges)}`);
  const merges: [string, string][] = model.merges.map((m: unknown, i: number): [string, string] => {
    if (typeof m === 'string') {
      const parts = m.split(' ');
      if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
        throw new TokenizerJsonError(`model.merges[${i}]`, `must be "left right" with exactly one space, got ${JSON.stringify(m)}`);
      }
      return [parts[0], parts[1]];
    }
    if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') return [m[0], m[1]];
    throw new TokenizerJsonError(`model.merges[${i}]`, `must be a "left right" string or a [left, right] pair, got ${JSON.stringify(m)}`);
  });
  merges.forEach((m, i) => {
    for (const t of [m[0], m[1], m[0] + m[1]]) {
      if (!vocab.has(t)) throw new TokenizerJsonError(`model.merges[${i}]`, `token ${JSON.stringify(t)} is not in model.vocab`);
    }
  });

  const addedRaw = json.added_tokens ?? [];
  if (!Array.isArray(addedRaw)) throw new TokenizerJsonError('added_tokens', `must be an array, got ${typeName(addedRaw)}`);
  const addedTokens: AddedTokenSpec[] = addedRaw.map((t: unknown, i: number) => {
    if (!isObject(t)) throw new TokenizerJsonError(`added_tokens[${i}]`, `must be an object, got ${typeName(t)}`);
    if (typeof t.id !== 'number' || !Number.isInteger(t.id) || t.id < 0) {
      throw new TokenizerJsonError(`added_tokens[${i}].id`, `must be a non-negative integer, got ${JSON.stringify(t.id)}`);
    }
    if (typeof t.content !== 'string' || t.content.length === 0) {
      throw new TokenizerJsonError(`added_tokens[${i}].content`, `must be a non-empty string, got ${JSON.stringify(t.content)}`);
    }
    if (t.special !== undefined && typeof t.special !== 'boolean') {
      throw new TokenizerJsonError(`added_tokens[${i}].special`, `must be a boolean, got ${typeName(t.special)}`);
    }
    const inVocab = vocab.get(t.content);
    if (inVocab !== undefined && inVocab !== t.id) {
      throw new TokenizerJsonError(`added_tokens[${i}].id`, `${JSON.stringify(t.content)} has id ${t.id} but model.vocab gives ${inVocab}`);
    }
    return { id: t.id, content: t.content, special: t.special === true };
  });

  if (json.normalizer !== undefined && json.normalizer !== null) {
    throw new TokenizerJsonError('normalizer', 'normalizers are not supported (must be null)');
  }
  const pre = json.pre_tokenizer;
  if (!isObject(pre) || pre.type !== 'ByteLevel') {
    throw new TokenizerJsonError('pre_tokenizer', `must be {type: "ByteLevel"}, got ${isObject(pre) ? JSON.stringify(pre.type) : typeName(pre)}`);
  }
  if (pre.add_prefix_space === true) throw new TokenizerJsonError('pre_tokenizer.add_prefix_space', 'is not supported (must be false)');
  if (pre.use_regex === false) throw new TokenizerJsonError('pre_tokenizer.use_regex', 'is not supported (must be true)');
  const dec = json.decoder;
  if (dec !== undefined && dec !== null && (!isObject(dec) || dec.type !== 'ByteLevel')) {
    throw new TokenizerJsonError('decoder', `must be {type: "ByteLevel"} or null, got ${isObject(dec) ? JSON.stringify(dec.type) : typeName(dec)}`);
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
    if (!isObject(post)) throw new TokenizerJsonError('post_processor', `must be an object or null, got ${typeName(post)}`);
    if (post.type === 'TemplateProcessing') {
      const single = post.single;
      if (!Array.isArray(single)) throw new TokenizerJsonError('post_processor.single', 'must be an array');
      const seqAt = single.findIndex((p: unknown) => isObject(p) && isObject(p.Sequence));
      if (seqAt < 0 || seqAt > 1 || single.length - seqAt - 1 > 1) {
        throw new TokenizerJsonError('post_processor.single', 'only [BOS?, $A, EOS?] templates are supported');
      }
      const specialOf = (p: unknown, field: string): string => {
        if (!isObject(p) || !isObject(p.SpecialToken) || typeof p.SpecialToken.id !== 'string') {
          throw new TokenizerJsonError(field, 'must be {SpecialToken: {id: string}}');
        }
        return tokenOf(field, p.SpecialToken.id);
      };
      if (seqAt === 1) {
        bos = specialOf(single[0], 'post_processor.single[0]');
        addBosToken = true;
      }
      if (single.length - seqAt - 1 === 1) {
        eos = specialOf(single[seqAt + 1], `post_processor.single[${seqAt + 1}]`);
        addEosToken = true;
      }
    } else if (post.type !== 'ByteLevel') {
      throw new TokenizerJsonError('post_processor.type', `must be "ByteLevel" or "TemplateProcessing", got ${JSON.stringify(post.type)}`);
    }
  }

  let unk: string | null = null;
  if (model.unk_token !== undefined && model.unk_token !== null) {
    if (typeof model.unk_token !== 'string') throw new TokenizerJsonError('model.unk_token', 'must be a string or null');
    unk = tokenOf('model.unk_token', model.unk_token);
  }
  let pad: string | null | undefined;
  let chatTemplate: string | null = null;
  let modelMaxLength: number | null = null;
  if (config !== undefined && config !== null) {
    if (!isObject(config)) throw new TokenizerJsonError('tokenizer_config', `must be an object, got ${typeName(config)}`);
    const cb = optionalToken(config, 'bos_token');
    const ce = optionalToken(config, 'eos_token');
    const cp = optionalToken(config, 'pad_token');
    const cu = optionalToken(config, 'unk_token');
    if (cb !== undefined) bos = cb === null ? (addBosToken ? bos : null) : tokenOf('tokenizer_config.bos_token', cb);
    if (ce !== undefined) eos = ce === null ? (addEosToken ? eos : null) : tokenOf('tokenizer_config.eos_token', ce);
    if (cp !== undefined) pad = cp === null ? null : tokenOf('tokenizer_config.pad_token', cp);
    if (cu !== undefined && cu !== null) unk = tokenOf('tokenizer_config.unk_token', cu);
    const ct = config.chat_template;
    if (typeof ct === 'string') chatTemplate = ct;
    else if (Array.isArray(ct)) {
      const def = ct.find((t: unknown) => isObject(t) && t.name === 'default');
      if (!isObject(def) || typeof def.template !== 'string') {
        throw new TokenizerJsonError('tokenizer_config.chat_template', 'a list of templates needs one named "default"');
      }
      chatTemplate = def.template;
    } else if (ct !== undefined && ct !== null) {
      throw new TokenizerJsonError('tokenizer_config.chat_template', `must be a string, got ${typeName(ct)}`);
    }
    const ml = config.model_max_length;
    if (typeof ml === 'number' && Number.isInteger(ml) && ml > 0 && ml < 2 ** 31) modelMaxLength = ml;
  }
  const hasAdded = (t: string) => addedTokens.some((a) => a.content === t);
  if (bos === undefined) bos = hasAdded('<|endoftext|>') ? '<|endoftext|>' : null;
  if (eos === undefined) eos = hasAdded('<|endoftext|>') ? '<|endoftext|>' : null;
  if (pad === undefined) pad = hasAdded('<|pad|>') ? '<|pad|>' : null;
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
    chatTemplate,
    modelMaxLength,
  };
}
