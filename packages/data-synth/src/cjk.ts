/**
 * The one "is this Chinese (CJK) text?" test of the package: Han characters (every CJK Unified Ideographs block,
 * compatibility ideographs, radicals) and kana. Curation, language id, MinHash tokens, template translation and the
 * leakage checker all use it, so a text counts as Chinese in the same way everywhere.
 *
 * @packageDocumentation
 */

/** Regular-expression class body of a CJK letter (use inside `[...]` with the `u` flag). */
export const CJK_LETTER_CLASS = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}';

const CJK_LETTER = new RegExp(`[${CJK_LETTER_CLASS}]`, 'u');

/**
 * True when `text` contains at least one CJK letter (Han character or kana).
 *
 * @param text - any text (a single character works too).
 */
export function hasCjk(text: string): boolean {
  return CJK_LETTER.test(text);
}

/**
 * True when the code point `c` is a CJK letter ({@link hasCjk} for one character), with a fast path for the CJK
 * Unified Ideographs and Extension A blocks.
 *
 * @param c - a code point (`ch.codePointAt(0)`).
 */
export function isCjkCodePoint(c: number): boolean {
  if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf)) return true;
  if (c < 0x2e80) return false;
  return CJK_LETTER.test(String.fromCodePoint(c));
}
