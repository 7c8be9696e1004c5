/**
 * Validated reading of `tokenizer_config.json`: special token names, `add_bos_token` / `add_eos_token`, the chat
 * template, `model_max_length` and `clean_up_tokenization_spaces`.
 *
 * @packageDocumentation
 */
import { TokenizerJsonError } from './errors';

/** The fields of `tokenizer_config.json` this package reads (`undefined`: the file does not set it). */
export interface TokenizerConfigFields {
  bosToken?: string | null;
  eosToken?: string | null;
  padToken?: string | null;
  unkToken?: string | null;
  addBosToken?: boolean;
  addEosToken?: boolean;
  chatTemplate: string | null;
  modelMaxLength: number | null;
  cleanUpTokenizationSpaces?: boolean;
  /** `additional_special_tokens` contents. */
  additionalSpecialTokens: string[];
}

/** True for a plain object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `null`, `array` or `typeof v`, for messages. */
export function typeName(v: unknown): string {
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

function optionalBool(cfg: Record<string, unknown>, key: string): boolean | undefined {
  const v = cfg[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new TokenizerJsonError(`tokenizer_config.${key}`, `must be a boolean, got ${typeName(v)}`);
  return v;
}

/**
 * Reads a parsed `tokenizer_config.json` (undefined/null: no file).
 * @throws TokenizerJsonError naming the bad key (`tokenizer_config.bos_token`, `tokenizer_config.chat_template`, ...).
 */
export function parseTokenizerConfig(config: unknown): TokenizerConfigFields {
  const out: TokenizerConfigFields = { chatTemplate: null, modelMaxLength: null, additionalSpecialTokens: [] };
  if (config === undefined || config === null) return out;
  if (!isObject(config)) throw new TokenizerJsonError('tokenizer_config', `must be an object, got ${typeName(config)}`);
  out.bosToken = optionalToken(config, 'bos_token');
  out.eosToken = optionalToken(config, 'eos_token');
  out.padToken = optionalToken(config, 'pad_token');
  out.unkToken = optionalToken(config, 'unk_token');
  out.addBosToken = optionalBool(config, 'add_bos_token');
  out.addEosToken = optionalBool(config, 'add_eos_token');
  out.cleanUpTokenizationSpaces = optionalBool(config, 'clean_up_tokenization_spaces');
  const ct = config.chat_template;
  if (typeof ct === 'string') out.chatTemplate = ct;
  else if (Array.isArray(ct)) {
    const def = ct.find((t: unknown) => isObject(t) && t.name === 'default');
    if (!isObject(def) || typeof def.template !== 'string') {
      throw new TokenizerJsonError('tokenizer_config.chat_template', 'a list of templates needs one named "default"');
    }
    out.chatTemplate = def.template;
  } else if (ct !== undefined && ct !== null) {
    throw new TokenizerJsonError('tokenizer_config.chat_template', `must be a string, got ${typeName(ct)}`);
  }
  const ml = config.model_max_length;
  if (typeof ml === 'number' && Number.isInteger(ml) && ml > 0 && ml < 2 ** 31) out.modelMaxLength = ml;
  const extra = config.additional_special_tokens;
  if (extra !== undefined && extra !== null) {
    if (!Array.isArray(extra)) throw new TokenizerJsonError('tokenizer_config.additional_special_tokens', `must be an array, got ${typeName(extra)}`);
    extra.forEach((t: unknown, i: number) => {
      const c = typeof t === 'string' ? t : isObject(t) && typeof t.content === 'string' ? t.content : undefined;
      if (c === undefined) throw new TokenizerJsonError(`tokenizer_config.additional_special_tokens[${i}]`, 'must be a string or {content: string}');
      out.additionalSpecialTokens.push(c);
    });
  }
  return out;
}
