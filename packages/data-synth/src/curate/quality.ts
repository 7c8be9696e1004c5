/**
 * Heuristic quality filters: length bounds, character-class ratios, a light English/Chinese language id, and
 * repeated-line / repeated-n-gram ratios (after the Gopher rules, adapted so that Chinese counts per character).
 *
 * @packageDocumentation
 */
import { CurateOptionsError } from './errors';
import { isCjkCodePoint } from '../cjk';
import type { Language } from '../kg/types';
import { fmix32 } from './hash';
import { tokenize } from './minhash';

/** Fractions of the non-whitespace characters (code points) of a text in each class; they sum to 1. */
export interface CharClassRatios {
  /** Letters other than Han/kana (Latin, Greek, …). */
  letters: number;
  /** Han characters and kana. */
  cjk: number;
  digits: number;
  /** Unicode punctuation (ASCII and CJK). */
  punctuation: number;
  /** Symbols (math, currency, modifiers, other symbols such as emoji). */
  symbols: number;
  /** Anything else (marks, private use, unassigned). */
  other: number;
  /** Number of non-whitespace code points counted. */
  count: number;
}

const RE_LETTER = /\p{L}/u;
const RE_DIGIT = /\p{N}/u;
const RE_PUNCT = /\p{P}/u;
const RE_SYMBOL = /\p{S}/u;

/**
 * Character-class ratios of a text (see {@link CharClassRatios}). All ratios are 0 for a text without
 * non-whitespace characters.
 *
 * @param text - any text.
 */
export function charClassRatios(text: string): CharClassRatios {
  let letters = 0;
  let cjk = 0;
  let digits = 0;
  let punctuation = 0;
  let symbols = 0;
  let other = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c <= 0x7f) {
      // ASCII fast path.
      if (c === 32 || (c >= 9 && c <= 13)) continue;
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
      else if (c >= 48 && c <= 57) digits++;
      else if (c === 36 || c === 43 || (c >= 60 && c <= 62) || c === 94 || c === 96 || c === 124 || c === 126) symbols++;
      else if (c < 32 || c === 127) other++;
      else punctuation++;
      continue;
    }
    if (isCjkCodePoint(c)) {
      cjk++;
      continue;
    }
    if (/\s/u.test(ch)) continue;
    if (RE_LETTER.test(ch)) letters++;
    else if (RE_DIGIT.test(ch)) digits++;
    else if (RE_PUNCT.test(ch)) punctuation++;
    else if (RE_SYMBOL.test(ch)) symbols++;
    else other++;
  }
  const count = letters + cjk + digits + punctuation + symbols + other;
  const d = count || 1;
  return { letters: letters / d, cjk: cjk / d, digits: digits / d, punctuation: punctuation / d, symbols: symbols / d, other: other / d, count };
}

/** Common English function words, for {@link detectLanguage}. */
const EN_STOPWORDS = new Set(
  'the of and to in a is that for it as was with be by on not are this or from at which an were have has had been but their its they we than more can may these also there who other into after between when all such both our using used during most'.split(
    ' ',
  ),
);

/** Result of {@link detectLanguage}. */
export interface LanguageGuess {
  /** `'zh'`, `'en'`, or `'unknown'` when neither fits. */
  language: Language | 'unknown';
  /** Evidence in [0, 1]: the Han share of letters for zh; the stop-word share of words for en. */
  score: number;
}

/**
 * A light language id for English and Chinese. Chinese when Han characters make up at least `minCjkShare` (default
 * 0.3) of the letters (Chinese medical text is full of Latin abbreviations such as CRP or Hoffmann); English when the
 * text is mostly Latin letters and at least `minStopwordShare` (default 0.08) of its words are common English
 * function words; otherwise unknown (other languages, code, tables of numbers).
 *
 * @param text - any text.
 * @param options - thresholds.
 * @param ratios - {@link charClassRatios} of `text`, when already computed.
 */
export function detectLanguage(
  text: string,
  options: { minCjkShare?: number; minStopwordShare?: number } = {},
  ratios?: CharClassRatios,
): LanguageGuess {
  const r = ratios ?? charClassRatios(text);
  const letterish = r.letters + r.cjk;
  if (r.count === 0 || letterish === 0) return { language: 'unknown', score: 0 };
  const cjkShare = r.cjk / letterish;
  if (cjkShare >= (options.minCjkShare ?? 0.3)) return { language: 'zh', score: cjkShare };
  const words = text.toLowerCase().match(/[a-z]+(?:'[a-z]+)?/g) ?? [];
  if (words.length === 0) return { language: 'unknown', score: 0 };
  let hits = 0;
  for (const w of words) if (EN_STOPWORDS.has(w)) hits++;
  const share = hits / words.length;
  // Very short texts (a title, a term) have few function words: accept Latin-only short texts as English.
  if (share >= (options.minStopwordShare ?? 0.08) || (words.length <= 8 && cjkShare === 0)) return { language: 'en', score: share };
  return { language: 'unknown', score: share };
}

/**
 * Repeated-line ratios: the fraction of non-empty lines that repeat an earlier line (after trimming), and the
 * fraction of characters in such lines.
 *
 * @param text - any text.
 */
export function repeatedLineRatio(text: string): { lines: number; chars: number } {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.length === 0) return { lines: 0, chars: 0 };
  const seen = new Set<string>();
  let dupLines = 0;
  let dupChars = 0;
  let chars = 0;
  for (const l of lines) {
    chars += l.length;
    if (seen.has(l)) {
      dupLines++;
      dupChars += l.length;
    } else seen.add(l);
  }
  return { lines: dupLines / lines.length, chars: dupChars / chars };
}

/**
 * The fraction of token characters covered by repeated occurrences of `n`-grams (Gopher's "duplicate n-gram
 * character fraction"): tokens are English words and single Chinese characters (see `tokenize`'s `'mixed'` unit);
 * a token counts when it lies in an n-gram that already occurred earlier in the text.
 *
 * @param text - any text.
 * @param n - n-gram length in tokens (≥ 1).
 */
export function repeatedNgramRatio(text: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new CurateOptionsError(`repeatedNgramRatio: n must be a positive integer, got ${n}`);
  return duplicateNgramFraction(tokenIds(tokenize(text, 'mixed')), n);
}

/** Tokens as small integer ids plus their lengths. */
interface TokenIds {
  ids: Int32Array;
  lens: Int32Array;
}

function tokenIds(toks: readonly string[]): TokenIds {
  const dict = new Map<string, number>();
  const ids = new Int32Array(toks.length);
  const lens = new Int32Array(toks.length);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    let id = dict.get(t);
    if (id === undefined) dict.set(t, (id = dict.size));
    ids[i] = id;
    lens[i] = t.length;
  }
  return { ids, lens };
}

/** Gopher's duplicate n-gram character fraction over token ids; n-grams are keyed by a 53-bit hash. */
function duplicateNgramFraction({ ids, lens }: TokenIds, n: number): number {
  const m = ids.length;
  if (m < n) return 0;
  const covered = new Uint8Array(m);
  const seen = new Set<number>();
  for (let i = 0; i + n <= m; i++) {
    let h1 = 0x9747b28c ^ n;
    let h2 = 0x1b873593;
    for (let j = i; j < i + n; j++) {
      h1 = fmix32((h1 ^ ids[j]!) >>> 0);
      h2 = fmix32((Math.imul(h2, 31) + ids[j]! + 1) >>> 0);
    }
    const key = h1 * 2097152 + (h2 & 0x1fffff);
    if (seen.has(key)) covered.fill(1, i, i + n);
    else seen.add(key);
  }
  let total = 0;
  let dup = 0;
  for (let i = 0; i < m; i++) {
    total += lens[i]!;
    if (covered[i]) dup += lens[i]!;
  }
  return total === 0 ? 0 : dup / total;
}

/** Options of {@link qualityCheck}. Every bound is optional; `false` turns a default bound off. */
export interface QualityOptions {
  /** Minimum length in code points (default 20). */
  minChars?: number | false;
  /** Maximum length in code points (default 100 000). */
  maxChars?: number | false;
  /** Minimum share of letters + CJK among non-whitespace characters (default 0.5). */
  minAlphaRatio?: number | false;
  /** Maximum share of digits (default 0.3). */
  maxDigitRatio?: number | false;
  /** Maximum share of punctuation (default 0.3). */
  maxPunctuationRatio?: number | false;
  /** Maximum share of symbols (default 0.1). */
  maxSymbolRatio?: number | false;
  /** Languages accepted (default `['en', 'zh']`); `false` accepts anything, including unknown. */
  languages?: Language[] | false;
  /** Maximum fraction of non-empty lines that repeat an earlier line (default 0.3). */
  maxRepeatedLineRatio?: number | false;
  /**
   * Maximum repeated-n-gram character fractions per n (default `{ 5: 0.45, 10: 0.4 }`, calibrated so that the shipped
   * PubMedQA and CMExam paragraphs pass). `n` counts words; tokens are English words and single Chinese characters, and
   * in a text detected as Chinese n-grams are `2n` characters long (a Chinese word is about two characters).
   */
  maxRepeatedNgramRatio?: Record<number, number> | false;
}

/** The filter names reported by {@link qualityCheck}, in the order they are applied. */
export const QUALITY_FILTERS = [
  'min-chars',
  'max-chars',
  'min-alpha-ratio',
  'max-digit-ratio',
  'max-punctuation-ratio',
  'max-symbol-ratio',
  'language',
  'language-mismatch',
  'repeated-lines',
  'repeated-ngrams',
] as const;

/** One of {@link QUALITY_FILTERS}. */
export type QualityFilter = (typeof QUALITY_FILTERS)[number];

/** Result of {@link qualityCheck}. */
export interface QualityResult {
  pass: boolean;
  /** Every filter that failed, in {@link QUALITY_FILTERS} order (the first is the one a report attributes). */
  failed: QualityFilter[];
  /** Detected language. */
  language: LanguageGuess;
  ratios: CharClassRatios;
  chars: number;
}

/** Default thresholds of {@link qualityCheck}. */
export const DEFAULT_QUALITY: Required<QualityOptions> = {
  minChars: 20,
  maxChars: 100_000,
  minAlphaRatio: 0.5,
  maxDigitRatio: 0.3,
  maxPunctuationRatio: 0.3,
  maxSymbolRatio: 0.1,
  languages: ['en', 'zh'],
  maxRepeatedLineRatio: 0.3,
  maxRepeatedNgramRatio: { 5: 0.45, 10: 0.4 },
};

/**
 * Applies the quality filters to one text.
 *
 * @param text - the (normalised) text.
 * @param options - thresholds (defaults in {@link DEFAULT_QUALITY}).
 * @param declared - the language the source declares, if any: a confident detection of the other language fails
 *   `language-mismatch`.
 */
export function qualityCheck(text: string, options: QualityOptions = {}, declared?: Language): QualityResult {
  const o = { ...DEFAULT_QUALITY, ...options };
  const failed: QualityFilter[] = [];
  const chars = Array.from(text).length;
  const ratios = charClassRatios(text);
  const language = detectLanguage(text, {}, ratios);
  if (o.minChars !== false && chars < o.minChars) failed.push('min-chars');
  if (o.maxChars !== false && chars > o.maxChars) failed.push('max-chars');
  if (o.minAlphaRatio !== false && ratios.letters + ratios.cjk < o.minAlphaRatio) failed.push('min-alpha-ratio');
  if (o.maxDigitRatio !== false && ratios.digits > o.maxDigitRatio) failed.push('max-digit-ratio');
  if (o.maxPunctuationRatio !== false && ratios.punctuation > o.maxPunctuationRatio) failed.push('max-punctuation-ratio');
  if (o.maxSymbolRatio !== false && ratios.symbols > o.maxSymbolRatio) failed.push('max-symbol-ratio');
  if (o.languages !== false && (language.language === 'unknown' || !o.languages.includes(language.language))) failed.push('language');
  if (declared !== undefined && language.language !== 'unknown' && language.language !== declared) failed.push('language-mismatch');
  if (o.maxRepeatedLineRatio !== false && repeatedLineRatio(text).lines > o.maxRepeatedLineRatio) failed.push('repeated-lines');
  if (o.maxRepeatedNgramRatio !== false) {
    const scale = language.language === 'zh' ? 2 : 1;
    const toks = tokenIds(tokenize(text, 'mixed'));
    for (const [n, max] of Object.entries(o.maxRepeatedNgramRatio)) {
      if (duplicateNgramFraction(toks, Number(n) * scale) > max) {
        failed.push('repeated-ngrams');
        break;
      }
    }
  }
  return { pass: failed.length === 0, failed, language, ratios, chars };
}
