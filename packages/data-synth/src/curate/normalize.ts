/**
 * Text normalisation for mixed Chinese/English medical text: Unicode NFKC (full-width Latin letters and digits
 * become half-width), context-aware full-width punctuation next to Chinese, control and zero-width characters
 * removed, whitespace collapsed.
 *
 * @packageDocumentation
 */
import { CurateInputError } from './errors';
import { hasCjk } from '../cjk';

/** How {@link normalizeText} treats `, ; : ! ? ( )` after NFKC has made them half-width. */
export type CjkPunctuation = 'fullwidth' | 'halfwidth';

/** Options of {@link normalizeText}. */
export interface NormalizeOptions {
  /**
   * Unicode normalisation form (default `'NFKC'`). NFKC maps full-width ASCII (`Ａ１，`) to half-width
   * (`A1,`), the ideographic space to a space, ligatures to letters. `'none'` skips it.
   */
  form?: 'NFKC' | 'NFC' | 'none';
  /**
   * Keep superscript and subscript digits (`10⁹/L`, `m²`, `CO₂`) as they are: NFKC would turn `10⁹/L` into
   * `109/L`, which changes the meaning. Default true.
   */
  keepSuperscripts?: boolean;
  /**
   * `'fullwidth'` (default): `, ; : ! ? ( )` in a Chinese context (after a Han character or Chinese punctuation,
   * before a Han character, or brackets around Han text; never a digit separator such as `12,000` or `10:30`)
   * become `，；：！？（）`, so that `急性喉炎(A对)` and `急性喉炎（A对）` normalise to the same text; English punctuation
   * stays half-width. `'halfwidth'`: leave the NFKC result (all half-width).
   */
  cjkPunctuation?: CjkPunctuation;
  /** Lower-case the text (default false; dedup keys use true). */
  lowercase?: boolean;
  /**
   * Keep line breaks (default true): runs of spaces/tabs collapse to one space, lines are trimmed and three or more
   * line breaks collapse to a paragraph break (two). With false, all whitespace collapses to one space.
   */
  keepNewlines?: boolean;
}

/** Characters NFKC would fold that carry meaning in medical text: superscript and subscript digits and signs. */
const SUPERSCRIPT = /[\u00B2\u00B3\u00B9\u2070-\u209F]/;
const NOT_SUPERSCRIPT_RUN = /[^\u00B2\u00B3\u00B9\u2070-\u209F]+/g;

/**
 * Control characters (C0 except tab and line feed, DEL, C1), zero-width and format characters (ZWSP, ZWNJ, ZWJ, word
 * joiner, BOM, soft hyphen, bidi marks), and the replacement character.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF\uFFFD]/g;

/** CJK punctuation that marks a Chinese context (ideographic full stop, enumeration comma, full-width forms, quotes). */
const CJK_PUNCT = /[\u3000-\u303F\uFF01-\uFF0F\uFF1A-\uFF20\u2018\u2019\u201C\u201D\u2026\u2014]/;

const TO_FULL: Record<string, string> = { ',': '，', ';': '；', ':': '：', '!': '！', '?': '？', '(': '（', ')': '）' };

function isCjkContext(ch: string | undefined): boolean {
  return ch !== undefined && (hasCjk(ch) || CJK_PUNCT.test(ch));
}

/** The nearest non-space code point before index `i` (or after, `dir = 1`) in `cps`. */
function neighbour(cps: string[], i: number, dir: -1 | 1): string | undefined {
  for (let j = i + dir; j >= 0 && j < cps.length; j += dir) {
    const c = cps[j]!;
    if (c !== ' ' && c !== '\t') return c === '\n' ? undefined : c;
  }
  return undefined;
}

/**
 * Restores full-width `, ; : ! ? ( )` in a Chinese context (see {@link NormalizeOptions.cjkPunctuation}). A digit
 * separator such as `1,000` or a time `10:30` is never converted. Brackets are converted in matched pairs.
 */
function restoreCjkPunctuation(text: string): string {
  if (!hasCjk(text)) return text;
  const cps = Array.from(text);
  const out = cps.slice();
  const stack: number[] = [];
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === '(') {
      stack.push(i);
    } else if (c === ')') {
      const open = stack.pop();
      if (open === undefined) {
        if (isCjkContext(neighbour(out, i, -1))) out[i] = '）';
        continue;
      }
      let full = hasCjk(neighbour(out, open, -1) ?? '') || isCjkContext(neighbour(cps, i, 1));
      for (let j = open + 1; !full && j < i; j++) full = hasCjk(cps[j]!);
      if (full) {
        out[open] = '（';
        out[i] = '）';
      }
    } else if (c === ',' || c === ';' || c === ':' || c === '!' || c === '?') {
      const prev = cps[i - 1];
      const next = cps[i + 1];
      // 1,000 and 10:30 stay as they are.
      if ((c === ',' || c === ':') && prev !== undefined && next !== undefined && /\d/.test(prev) && /\d/.test(next)) continue;
      if (isCjkContext(neighbour(out, i, -1)) || hasCjk(neighbour(cps, i, 1) ?? '')) out[i] = TO_FULL[c]!;
    }
  }
  // Unmatched opening brackets: convert when next to Chinese.
  for (const open of stack) {
    if (isCjkContext(neighbour(cps, open, -1)) || isCjkContext(neighbour(cps, open, 1))) out[open] = '（';
  }
  return out.join('');
}

/**
 * Normalises a text for curation: Unicode normalisation (NFKC by default, keeping superscripts), control and
 * zero-width characters removed, `\r\n`/`\r`/U+2028/U+2029 to `\n`, whitespace collapsed, full-width punctuation
 * restored next to Chinese, optionally lower-cased. Idempotent: `normalizeText(normalizeText(t)) === normalizeText(t)`
 * for the same options.
 *
 * @param text - any text.
 * @param options - see {@link NormalizeOptions}.
 * @returns the normalised text (trimmed; empty when only whitespace/control characters remain).
 */
export function normalizeText(text: string, options: NormalizeOptions = {}): string {
  if (typeof text !== 'string') throw new CurateInputError(`normalizeText: text must be a string, got ${typeof text}`);
  const form = options.form ?? 'NFKC';
  const keepSup = options.keepSuperscripts ?? true;
  const keepNewlines = options.keepNewlines ?? true;
  let t = text.replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n').replace(CONTROL, '');
  if (form !== 'none') {
    t = keepSup && SUPERSCRIPT.test(t) ? t.replace(NOT_SUPERSCRIPT_RUN, (s) => s.normalize(form)) : t.normalize(form);
    // NFKC can produce new control characters only from compatibility forms of them, which do not exist; but it can
    // produce U+0020 runs (e.g. from U+3000), handled by the whitespace pass below.
  }
  if (keepNewlines) {
    t = t
      .replace(/[^\S\n]+/g, ' ')
      .replace(/ ?\n ?/g, '\n')
      .replace(/\n{3,}/g, '\n\n');
  } else {
    t = t.replace(/\s+/g, ' ');
  }
  t = t.trim();
  if ((options.cjkPunctuation ?? 'fullwidth') === 'fullwidth') t = restoreCjkPunctuation(t);
  if (options.lowercase) t = t.toLowerCase();
  return t;
}

/**
 * The key used for exact deduplication: {@link normalizeText} with all whitespace collapsed to single spaces,
 * half-width punctuation and lower case, so that texts differing only in case, spacing, width or control characters
 * share a key.
 *
 * @param text - any text.
 */
export function dedupKey(text: string): string {
  return normalizeText(text, { keepNewlines: false, lowercase: true, cjkPunctuation: 'halfwidth' });
}
