/**
 * Sentence splitting for English and Chinese (and mixed) text. A sentence ends at `。！？!?` (with any closing
 * quotes or brackets after it), at `.` followed by white space and not part of a common abbreviation (`e.g.`, `Dr.`,
 * `vs.`, `et al.`, a single initial), at `；;` only when `semicolons` is set, and at every line break.
 */

/** A sentence as a `[start, end)` span of the source text (white space between sentences belongs to neither). */
export interface SentenceSpan {
  start: number;
  end: number;
}

const ABBREVIATIONS = new Set(
  'e.g i.e vs etc al dr mr mrs ms prof fig figs no nos approx cf ca st jr sr inc ltd co dept eq eqs ref refs vol resp min max mg ml kg'.split(' '),
);

const CLOSERS = '"\'”’」』）)]】》';

/** Splits `text` into sentence spans; see the file comment. Empty or white-space-only text gives `[]`. */
export function splitSentences(text: string, options: { semicolons?: boolean } = {}): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  let start = 0;
  const push = (end: number): void => {
    let s = start;
    let e = end;
    while (s < e && /\s/.test(text[s]!)) s++;
    while (e > s && /\s/.test(text[e - 1]!)) e--;
    if (e > s) spans.push({ start: s, end: e });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      push(i + 1);
      continue;
    }
    const cjkEnd = c === '。' || c === '！' || c === '？' || (options.semicolons === true && c === '；');
    const latinEnd = c === '!' || c === '?' || (options.semicolons === true && c === ';');
    if (!cjkEnd && !latinEnd && c !== '.') continue;
    let j = i + 1;
    while (j < text.length && (CLOSERS.includes(text[j]!) || (cjkEnd && '。！？'.includes(text[j]!)))) j++;
    if (cjkEnd) {
      push(j);
      i = j - 1;
      continue;
    }
    // Latin punctuation ends a sentence only before white space (or the end), so 3.5 and a.b stay whole.
    if (j < text.length && !/\s/.test(text[j]!)) continue;
    if (c === '.' && isAbbreviation(text, i)) continue;
    push(j);
    i = j - 1;
  }
  push(text.length);
  return spans;
}

function isAbbreviation(text: string, dot: number): boolean {
  let s = dot;
  while (s > 0 && /[\p{L}.]/u.test(text[s - 1]!)) s--;
  const word = text.slice(s, dot).toLowerCase();
  if (word.length === 0) return false;
  if (ABBREVIATIONS.has(word)) return true;
  // A single capital initial ("J. Smith"), and what follows is a capitalised word.
  if (/^\p{Lu}$/u.test(text.slice(s, dot))) return true;
  // The next word starts with a lower-case letter: not a sentence end ("approx. ten", "p. value").
  const next = /\s+(\S)/u.exec(text.slice(dot + 1, dot + 8));
  return next !== null && /\p{Ll}/u.test(next[1]!);
}
