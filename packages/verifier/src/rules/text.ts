/**
 * Text preparation shared by the rule verifiers: the visible answer part of a completion (reasoning blocks
 * removed), full-width folding, and the quoted passages whose content is never an answer statement.
 *
 * Every function here runs in time linear in the input length (no regular expression with nested or
 * leading unbounded quantifiers).
 *
 * @packageDocumentation
 */

/** Names of the reasoning tags whose content is ignored (`<think>…</think>`, `<reasoning>…</reasoning>`, …). */
export const REASONING_TAGS = ['think', 'thinking', 'reasoning', 'thought'] as const;

/**
 * The part of a completion that states an answer: reasoning blocks removed.
 *
 * - Every closed `<think>…</think>` block (also `<thinking>`, `<reasoning>`, `<thought>`) is removed.
 * - A closing tag with no opening tag (chat templates that put `<think>` in the prompt): everything up to it is
 *   reasoning and removed.
 * - An opening tag that is never closed: everything after it is reasoning (an answer stated only there does not
 *   count), so only the text before it remains.
 *
 * @param completion - the raw completion.
 * @returns the completion without reasoning.
 */
export function stripReasoning(completion: string): string {
  if (completion.indexOf('<') < 0) return completion;
  let text = completion;
  for (const tag of REASONING_TAGS) {
    const open = `<${tag}>`;
    const close = `</${tag}>`;
    if (text.indexOf(open) < 0 && text.indexOf(close) < 0) continue;
    let out = '';
    let pos = 0;
    // A leading closing tag without an opening tag before it: drop everything up to it.
    const firstClose = text.indexOf(close);
    const firstOpen = text.indexOf(open);
    if (firstClose >= 0 && (firstOpen < 0 || firstClose < firstOpen)) pos = firstClose + close.length;
    for (;;) {
      const o = text.indexOf(open, pos);
      if (o < 0) {
        out += text.slice(pos);
        break;
      }
      out += text.slice(pos, o);
      const c = text.indexOf(close, o + open.length);
      if (c < 0) break; // unclosed: the rest is reasoning
      pos = c + close.length;
    }
    text = out;
  }
  return text;
}

const FULL_WIDTH = /[\uFF01-\uFF5E\u3000]/;
const FULL_WIDTH_G = /[\uFF01-\uFF5E\u3000]/g;

/**
 * Folds full-width ASCII (`Ａ`, `，`, `：`, `（`, digits) to ASCII and the ideographic space to a space. `、` and
 * `。` are kept (they are not full-width forms). String length is preserved, so offsets stay valid.
 */
export function foldFullWidth(text: string): string {
  if (!FULL_WIDTH.test(text)) return text;
  return text.replace(FULL_WIDTH_G, foldChar);
}

function foldChar(c: string): string {
  return c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0);
}

/** A half-open range `[start, end)` of character offsets. */
export type Range = readonly [number, number];

/**
 * Quoted passages of a text, whose content is quotation and never an answer statement:
 *
 * - markdown blockquote lines (a line whose first non-blank character is `>`);
 * - text between curly quotes `“…”`, corner brackets `「…」` and `『…』`, and guillemets `«…»`;
 * - text between straight double quotes on one line **when it contains whitespace** (so `"B"`, `"AC"` and JSON
 *   keys like `"answer"` are not quotations, but `"the correct answer is D"` is).
 *
 * Single quotes are not treated as quotation marks (they are apostrophes too often). An unclosed quote opens no
 * passage. Ranges are returned sorted and cover the content between the marks (exclusive).
 */
export function quotedRanges(text: string): Range[] {
  const ranges: Range[] = [];
  const n = text.length;
  let straightOpen = -1;
  let curlyOpen = -1;
  let curlyClose = '';
  // Only the characters that change the state are visited (a regular-expression search between them), so the
  // common case — prose without quotes — costs one native scan.
  const re = QUOTE_EVENT_RE;
  re.lastIndex = 0;
  for (let lineStart = 0; ; ) {
    // a line whose first non-blank character is `>` is a blockquote line (also inside a curly passage)
    let f = lineStart;
    while (f < n && (text.charCodeAt(f) === 32 || text.charCodeAt(f) === 9)) f++;
    if (f < n && text.charCodeAt(f) === 62 /* > */) {
      const end = text.indexOf('\n', f);
      const e = end < 0 ? n : end;
      ranges.push([lineStart, e]);
      re.lastIndex = e;
    } else re.lastIndex = lineStart;
    let newline = -1;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const i = m.index;
      const ch = text[i]!;
      if (ch === '\n') {
        newline = i;
        break;
      }
      if (curlyOpen >= 0) {
        if (ch === curlyClose) {
          ranges.push([curlyOpen + 1, i]);
          curlyOpen = -1;
        }
        continue;
      }
      if (ch === '"') {
        if (straightOpen < 0) straightOpen = i;
        else {
          if (hasBlank(text, straightOpen + 1, i)) ranges.push([straightOpen + 1, i]);
          straightOpen = -1;
        }
        continue;
      }
      if (straightOpen >= 0) continue;
      const close = CURLY_CLOSE[ch];
      if (close !== undefined) {
        curlyOpen = i;
        curlyClose = close;
      }
    }
    if (newline < 0) break;
    straightOpen = -1; // a straight quote does not span lines
    lineStart = newline + 1;
  }
  ranges.sort((a, b) => a[0] - b[0]);
  return ranges;
}

/** The characters that change the state of {@link quotedRanges}: line ends, straight and curly quote marks. */
const QUOTE_EVENT_RE = /[\n"\u201c\u201d\u300c\u300d\u300e\u300f\u00ab\u00bb]/g;
/** Opening mark → closing mark of the paired quotation marks. */
const CURLY_CLOSE: Readonly<Record<string, string>> = { '\u201c': '\u201d', '\u300c': '\u300d', '\u300e': '\u300f', '\u00ab': '\u00bb' };

/** Whether `text[from, to)` holds a space, a tab or an ideographic space. */
function hasBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 0x3000) return true;
  }
  return false;
}

/** Whether offset `pos` lies in one of the sorted `ranges` (binary search). */
export function inRanges(ranges: readonly Range[], pos: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (pos < r[0]) hi = mid - 1;
    else if (pos >= r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The answer-bearing text of a completion: reasoning removed and full-width folded. */
export function answerText(completion: string): string {
  return foldFullWidth(stripReasoning(completion));
}

/** Shortens `s` for evidence strings (at most `max` characters, with an ellipsis). */
export function clip(s: string, max = 80): string {
  const t = s.slice(0, max * 4).replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

const TRIM_CHARS = new Set([...' \t\n\r"\'`*()[]{}.,;:!?。，；：！？、']);

/** Removes the characters of {@link TRIM_CHARS} from both ends (a loop, not a regex: linear on any input). */
export function trimPunct(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && TRIM_CHARS.has(s[a]!)) a++;
  while (b > a && TRIM_CHARS.has(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** Lower-cased, NFKC-normalised, whitespace-collapsed text without surrounding punctuation, for comparisons. */
export function normalizeLoose(s: string): string {
  return trimPunct(s.normalize('NFKC').toLowerCase().replace(/[\s\u00a0]+/g, ' '));
}
