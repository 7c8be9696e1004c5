/** Character classes the analyzers split mixed text by. */

/** One run of CJK ideographs/kana/hangul, or one Latin/other-script word or number. */
export const TOKEN_PATTERN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])[\p{L}\p{M}\p{N}])+(?:['’](?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])\p{L})+)*/gu;

const CJK_START = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Whether a token produced by {@link TOKEN_PATTERN} is a CJK run. */
export function isCjkRun(token: string): boolean {
  return CJK_START.test(token);
}

/** The share of letters in `text` that are CJK (0 when it has no letters). */
export function cjkShare(text: string): number {
  let cjk = 0;
  let letters = 0;
  for (const m of text.matchAll(TOKEN_PATTERN)) {
    const n = [...m[0]].length;
    letters += n;
    if (isCjkRun(m[0])) cjk += n;
  }
  return letters === 0 ? 0 : cjk / letters;
}
