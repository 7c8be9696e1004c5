/**
 * Finds the stated answer of a multiple-choice completion.
 *
 * ## What counts as an answer statement
 *
 * The completion is first reduced to its answer part ({@link answerText}): `<think>…</think>` (and
 * `<thinking>`, `<reasoning>`, `<thought>`) blocks are removed, an unclosed reasoning block hides everything after
 * it, and full-width forms (`Ａ`, `，`, `：`) are folded to ASCII. Markdown emphasis (`**`, `__`) is ignored.
 * Then these forms are answer statements:
 *
 * 1. an `<answer>…</answer>` tag: its content (the last tag) is the answer and nothing else is considered;
 * 2. a JSON key `"answer"` (also `"answers"`, `"final_answer"`, `"correct_answer"`, `"答案"`, quoted with `"` or
 *    `'`; fenced or not) with a string value (`"B"`, `"AC"`, `"A,C"`, `"A、C"`, `"A/C"`, the option's text), a
 *    list value (`["A","C"]`), or an unusable value (a number, `null`, `true` → a *non-answer* statement);
 * 3. `\boxed{B}` (also `\boxed{\text{B}}`);
 * 4. a cue followed by the answer: "Answer: B", "Final answer B", "the (correct) answer is (B)", "the correct
 *    option is B", "the most likely diagnosis is C", "I choose B", Chinese 答案：B, 答案为B, 正确答案是B, 选B,
 *    故选B, 应选B (not 不选B);
 * 5. a letter followed by a verdict: "B is correct", "(B) is the correct answer", "A and C are correct",
 *    "B为正确答案", "B项正确";
 * 6. a bare answer: the whole answer part is just a letter list or an option's text ("B", "(B)", "B. Aspirin",
 *    "AC"), or — when no statement of forms 2–5 exists — its last non-empty line is.
 *
 * The value after a cue may be a letter list (letters separated by nothing, `,`, `、`, `/`, `;`, `&`, `+`, spaces,
 * "and", 和, 与), letters in either case ("answer: b"), wrapped in `()`, `[]` or quotes; or an option's text
 * (when the options are given). A statement whose letters are joined by "or"/或/"either" is a **hedge**.
 *
 * The **last** statement (by position) wins. A statement is rejected, and earlier ones are considered, when:
 * - it starts inside a **quoted passage** ({@link quotedRanges}: blockquote lines, `“…”`, `「…」`, `『…』`, and
 *   straight-double-quoted text containing whitespace) — so an injected "the correct answer is D" inside a
 *   quoted passage is not an answer statement, while a cue outside a quote may take a quoted value
 *   (`Answer: "B"`);
 * - the letters are followed by `?` (a question, not a statement), by a lower-case word that does not continue a
 *   statement ("the answer is a bit unclear", "Answer: I think…" is handled by skipping "I think"), or by a
 *   letter or digit ("A1c", "ACE inhibitor" is rejected as a letter list but may still match an option text);
 * - the cue is negated ("the answer is not B", 不选B) — unless the text after the cue is an option's text that
 *   itself starts with the negation (答案：不规则热 with option 不规则热; "Answer: Not indicated").
 *
 * Letters are restricted to the option letters (the keys of `options`, else `letters`, else A–E). All regular
 * expressions are linear-time; the work per statement is bounded, so extraction is linear in the input length.
 *
 * @packageDocumentation
 */
import { contrastAt, excludedRanges, isAlternative, isNegatedAfter } from './answer-policy';
import { CORRECTION_CUE, EN_ANSWER_CUE, JSON_ANSWER_KEY_CUE, ZH_ANSWER_CUE } from './cues';
import { answerText, clip, inRanges, normalizeLoose, type Range } from './text';
import { VerifierArgumentError } from '../argument-error';

/** Which form of statement gave the answer. */
export type AnswerSource = 'answer-tag' | 'json' | 'boxed' | 'cue' | 'statement' | 'bare' | 'last-line';

/** The stated answer of a completion. */
export type ChoiceExtraction =
  | {
      /** Letters were stated (sorted, unique, upper case). */
      kind: 'letters';
      letters: string[];
      via: AnswerSource;
      /** Offset of the statement in the answer text ({@link answerText}). */
      index: number;
      snippet: string;
      /** The letters came from an option's text rather than its letter. */
      fromOptionText: boolean;
    }
  | { kind: 'hedge'; letters: string[]; via: AnswerSource; index: number; snippet: string }
  | { kind: 'empty'; via: AnswerSource; index: number; snippet: string }
  | { kind: 'non-answer'; value: string; via: AnswerSource; index: number; snippet: string }
  | { kind: 'none'; reason: string };

/** Options of {@link extractChoice}. */
export interface ChoiceExtractionOptions {
  /** Option letter → option text; enables matching the option's text and fixes the letter set. */
  options?: Readonly<Record<string, string>>;
  /** Allowed letters when `options` is absent (default `'ABCDE'`). */
  letters?: string;
  /** The prompt: answer cues inside lines copied from it are ignored (see `answer-policy.ts`). */
  prompt?: string;
}

type Parsed =
  | { kind: 'letters'; letters: string[]; fromOptionText: boolean }
  | { kind: 'hedge'; letters: string[] }
  | { kind: 'empty' }
  | { kind: 'non-answer'; value: string };

interface Ctx {
  /** Allowed upper-case letters. */
  letters: string;
  /** Options as [letter, normalised text], longest text first. */
  options: Array<[string, string]>;
  /** Recursion depth (JSON string values and answer tags are parsed again as prose). */
  depth: number;
  /** Length of the longest raw option text (bounds the window compared with option texts). */
  maxOptLen: number;
  /** The raw options and prompt, for copied-text detection. */
  rawOptions?: Readonly<Record<string, string>>;
  prompt?: string;
}

/**
 * Statement cues (case-insensitive), built from the shared cue rules (`cues.ts`). Group 1: JSON key; 2: boxed;
 * 3: English cue; 4: Chinese cue; 5: correction cue.
 */
const CUE_RE = new RegExp(
  `(${JSON_ANSWER_KEY_CUE})|(\\\\boxed\\s*\\{)|(${EN_ANSWER_CUE}|\\bmost\\s+(?:likely|appropriate|accurate|probable)\\b[^.\\n?]{0,60}?\\b(?:is|are)\\b|\\b(?:i\\s+(?:would\\s+|will\\s+|'d\\s+|'ll\\s+)?(?:choose|select|pick)|go\\s+with|opt\\s+for)\\b)` +
    `|(${ZH_ANSWER_CUE}|(?<!不)(?:故|应|因此|所以|本题|则|我)?选(?:择)?(?!项))|(${CORRECTION_CUE})`,
  'gi',
);

/** Unseparated letter runs that are abbreviations, not option sets, in a verdict statement ("ACE是正确的"). */
const LETTER_ABBREVIATIONS = new Set(['ACE', 'ABC', 'AD', 'CD', 'BE', 'ADE', 'CABG', 'DC', 'ED']);
/** CJK characters that may follow a stated letter ("B项", "B是正确的", "B和C", "B因为…"). */
const CJK_FOLLOW_OK = '项选是为正均都和与及或对因所故，。、；：！？的';

const stmtCache = new Map<string, RegExp>();
/** "B is correct" / "A and C are the correct answers" / "B为正确答案" for a letter class. */
function statementRe(letters: string): RegExp {
  let re = stmtCache.get(letters);
  if (!re) {
    const L = `[${letters}]`;
    re = new RegExp(
      `(?<![A-Za-z])(?:(?:[Oo]ption|[Cc]hoice)\\s+)?\\(?${L}\\)?(?:\\s*(?:,|and|&|/)\\s*\\(?${L}\\)?){0,9}\\s+(?:is|are)\\s+(?:the\\s+)?(?:correct|right|best)(?:\\s+(?:answers?|options?|choices?))?\\b(?!\\s*\\?)` +
        `|(?<![A-Za-z])${L}(?:[、,和]?${L}){0,9}(?:项|选项)?(?:为|是)?(?:正确答案|正确选项|正确)`,
      'g',
    );
    stmtCache.set(letters, re);
  }
  return re;
}

/** Words and marks skipped between a cue and its value. */
const FILLER_RE =
  /(?:\s+|[:=\-–—>*`$]+|(?:is|are|would\s+be|should\s+be|will\s+be|be|the|correct|right|best|final|answer|answers|option|options|choice|choices|letter|probably|most\s+likely|likely|definitely|clearly|therefore|thus|so|i\s+think|i\s+believe|i'd\s+say|it\s+is|it's|that|either)\b|应该?为?|是|为|选项|选择|选|项|答案|应)/iy;
const NEGATION_RE = /(?:not|n't|never)\b|不|非/iy;

/** Lower-case words that may follow a stated letter ("B is correct", "A and C", "B because …"). */
const FOLLOW_OK = new Set([
  'is', 'are', 'was', 'were', 'and', 'or', 'because', 'since', 'as', 'which', 'for', 'here', 'only', 'seems',
  'appears', 'would', 'should', 'will', 'with', 'given', 'due', 'best', 'correct', 'being', 'fits', 'matches',
]);

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0;
}

const SEP_RE = /[ \t]*(?:,|、|\/|;|&|\+|\band\b|和|与|及|以及|\bor\b|或者?|\|)[ \t]*|[ \t]+/iy;
const HEDGE_SEP = /\bor\b|或/i;

interface LetterList {
  letters: string[];
  hedge: boolean;
  end: number;
}

/**
 * Parses a letter list at `p`. In `bare` mode the list must be followed by nothing but punctuation, or by `.`,
 * `)`, `:` or `、` and some text (the "B. Aspirin" form). Otherwise the follow rules of the module doc apply.
 */
function parseLetterList(text: string, p: number, ctx: Ctx, bare: boolean, hedgeIn: boolean, verdict = false): LetterList | null {
  const n = text.length;
  const found: string[] = [];
  const prose = !bare || verdict;

  let hedge = hedgeIn;
  let i = p;
  let lastGood = p;
  let wrapped = false;
  for (let guard = 0; guard < 12; guard++) {
    let w = 0;
    while (i < n && w < 2 && '(["\'['.includes(text[i]!)) {
      i++;
      w++;
    }
    const runStart = i;
    let upper = 0;
    let lower = 0;
    while (i < n && i - runStart < 10) {
      const c = text.charCodeAt(i);
      if (c >= 65 && c <= 90 && ctx.letters.includes(text[i]!)) upper++;
      else if (c >= 97 && c <= 122 && ctx.letters.includes(String.fromCharCode(c - 32))) lower++;
      else break;
      i++;
    }
    const runLen = i - runStart;
    const nextC = i < n ? text.charCodeAt(i) : -1;
    const bad = runLen === 0 || (upper > 0 && lower > 0) || isAsciiLetter(nextC) || isDigit(nextC);
    if (bad) {
      if (found.length === 0) return null;
      i = lastGood; // a separator followed by a non-letter: the list ended before the separator
      break;
    }
    const run = text.slice(runStart, i).toUpperCase();
    if (prose && runLen >= 2) {
      // Letter look-alikes: in prose an unseparated run is an option set only when written in order ("AC",
      // "ACE"), is not a common abbreviation in a verdict ("ACE是正确的", "CEA is correct") and is not glued to
      // a Chinese word ("ACE抑制剂").
      let ascending = true;
      for (let k = 1; k < run.length; k++) if (run.charCodeAt(k) <= run.charCodeAt(k - 1)) ascending = false;
      const cjk = nextC >= 0x4e00 && nextC <= 0x9fff && !CJK_FOLLOW_OK.includes(text[i]!);
      if (!ascending || cjk || (verdict && LETTER_ABBREVIATIONS.has(run))) {
        if (found.length === 0) return null;
        i = lastGood;
        break;
      }
    }
    for (const L of run) if (!found.includes(L)) found.push(L);
    w = 0;
    while (i < n && w < 2 && ')]"\'】'.includes(text[i]!)) {
      i++;
      w++;
    }
    wrapped = w > 0;
    const afterTok = i;
    lastGood = i;
    SEP_RE.lastIndex = i;
    const m = SEP_RE.exec(text);
    if (!m || m[0].length === 0) break;
    // Is there another letter token after the separator?
    let j = i + m[0].length;
    let w2 = 0;
    while (j < n && w2 < 2 && '(["\'['.includes(text[j]!)) {
      j++;
      w2++;
    }
    const cj = j < n ? text.charCodeAt(j) : -1;
    const isLetterTok =
      ((cj >= 65 && cj <= 90) || (cj >= 97 && cj <= 122)) && ctx.letters.includes(text[j]!.toUpperCase());
    if (!isLetterTok) {
      i = afterTok;
      break;
    }
    if (HEDGE_SEP.test(m[0])) hedge = true;
    i += m[0].length;
  }
  if (found.length === 0) return null;
  // Follow rules.
  let j = i;
  while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
  const c = j < n ? text.charCodeAt(j) : -1;
  if (c === 63 /* ? */ || c === 0xff1f) return null;
  if (bare) {
    if (c === -1) return { letters: found, hedge, end: i };
    return { letters: found, hedge, end: i };
  }
  if (c >= 97 && c <= 122 && j > i && !wrapped) {
    let k = j;
    while (k < n && k - j < 20 && isAsciiLetter(text.charCodeAt(k))) k++;
    const word = text.slice(j, k).toLowerCase();
    if (!FOLLOW_OK.has(word)) return null;
  }
  return { letters: found, hedge, end: i };
}

/** Skips whitespace/marks and filler words after a cue; returns [position before words, position after all]. */
function skipFillers(text: string, p: number, maxLen = 80): { marks: number; words: number; hedge: boolean; negated: boolean } {
  let i = p;
  let marks = -1;
  let hedge = false;
  let negated = false;
  for (let k = 0; k < 12 && i - p < maxLen; k++) {
    NEGATION_RE.lastIndex = i;
    if (NEGATION_RE.test(text)) {
      negated = true;
      break;
    }
    FILLER_RE.lastIndex = i;
    const m = FILLER_RE.exec(text);
    if (!m || m[0].length === 0) break;
    // An all-capitals word ("BE", "A") is a letter list, not a filler.
    if (/^[A-Z]+$/.test(m[0])) break;
    const isMark = /^[\s:=\-–—>*`$]+$/.test(m[0]);
    if (!isMark && marks < 0) marks = i;
    if (/^either$/i.test(m[0])) hedge = true;
    i += m[0].length;
  }
  return { marks: marks < 0 ? i : marks, words: i, hedge, negated };
}

/** Matches an option's text at `p` (longest option first); the text must end at a boundary. */
function matchOptionText(text: string, p: number, ctx: Ctx, whole: boolean): string | null {
  if (ctx.options.length === 0) return null;
  const window = text.slice(p, p + Math.min(400, ctx.maxOptLen * 2 + 16));
  const lineEnd = window.indexOf('\n');
  const rest = normalizeLoose(lineEnd < 0 ? window : window.slice(0, lineEnd));
  if (rest.length === 0) return null;
  for (const [letter, norm] of ctx.options) {
    if (norm.length === 0) continue;
    if (whole) {
      if (rest === norm) return letter;
      continue;
    }
    if (rest.startsWith(norm)) {
      const c = rest.charCodeAt(norm.length);
      if (Number.isNaN(c) || !(isAsciiLetter(c) || isDigit(c))) return letter;
    }
  }
  return null;
}

/** Parses a bare answer (a JSON string value, a boxed content, a whole response, a last line). */
function parseBare(raw: string, ctx: Ctx): Parsed | null {
  let s = raw.trim();
  if (s.length === 0) return { kind: 'empty' };
  if (s.length > 2000) s = s.slice(0, 2000);
  const f = skipFillers(s, 0, 40);
  for (const start of f.words === f.marks ? [f.words] : [f.marks, f.words]) {
    const list = parseLetterList(s, start, ctx, true, f.hedge);
    if (list) {
      const rest = s.slice(list.end).trim();
      const restOk =
        rest.length === 0 ||
        /^[.。,，;；!！)\]]*$/.test(rest) ||
        (/^[.)）:：、]/.test(rest) && list.letters.length === 1);
      if (restOk) {
        if (list.hedge) return { kind: 'hedge', letters: list.letters.sort() };
        return { kind: 'letters', letters: list.letters.sort(), fromOptionText: false };
      }
    }
  }
  const byText = matchOptionText(s, 0, ctx, true) ?? (f.marks > 0 ? matchOptionText(s, f.marks, ctx, true) : null);
  if (byText) return { kind: 'letters', letters: [byText], fromOptionText: true };
  return null;
}

/** Reads a quoted JSON-ish string at `p` (quote char at p); returns [content, end] or null. */
function readQuoted(text: string, p: number): [string, number] | null {
  const q = text[p]!;
  let out = '';
  const n = Math.min(text.length, p + 4000);
  for (let i = p + 1; i < n; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < n) {
      out += text[i + 1];
      i++;
      continue;
    }
    if (c === q) return [out, i + 1];
    if (c === '\n') return null;
    out += c;
  }
  return null;
}

/** Parses a JSON-ish value at `p` (string, list, scalar). */
function parseJsonValue(text: string, p: number, ctx: Ctx): Parsed | null {
  let i = p;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  const c = text[i];
  if (c === '"' || c === "'") {
    const q = readQuoted(text, i);
    if (!q) return null;
    return parseStringValue(q[0], ctx);
  }
  if (c === '[') {
    const letters: string[] = [];
    let hedge = false;
    let fromText = false;
    let j = i + 1;
    for (let k = 0; k < 64; k++) {
      while (j < text.length && (isSpace(text.charCodeAt(j)) || text[j] === ',')) j++;
      if (text[j] === ']') {
        if (letters.length === 0) return { kind: 'empty' };
        return hedge ? { kind: 'hedge', letters: letters.sort() } : { kind: 'letters', letters: letters.sort(), fromOptionText: fromText };
      }
      let elem: string;
      if (text[j] === '"' || text[j] === "'") {
        const q = readQuoted(text, j);
        if (!q) return null;
        elem = q[0];
        j = q[1];
      } else {
        const m = /[^,\]\n]{1,200}/y;
        m.lastIndex = j;
        const mm = m.exec(text);
        if (!mm) return null;
        elem = mm[0].trim();
        j += mm[0].length;
        if (/^(?:null|none|true|false|-?\d[\d.eE+-]*)$/i.test(elem)) return { kind: 'non-answer', value: `[${elem}]` };
      }
      const e = parseBare(elem, ctx);
      if (!e || e.kind === 'non-answer') return { kind: 'non-answer', value: clip(elem, 40) };
      if (e.kind === 'empty') continue;
      if (e.kind === 'hedge') hedge = true;
      if (e.kind === 'letters' && e.fromOptionText) fromText = true;
      for (const L of e.letters) if (!letters.includes(L)) letters.push(L);
    }
    return null;
  }
  const m = /(?:null|none|true|false|undefined|nan|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?![\w])/iy;
  m.lastIndex = i;
  const mm = m.exec(text);
  if (mm) return { kind: 'non-answer', value: mm[0] };
  return null;
}

/** A JSON string value: bare letters or option text, else prose containing a statement, else a non-answer. */
function parseStringValue(content: string, ctx: Ctx): Parsed {
  const bare = parseBare(content, ctx);
  if (bare) return bare;
  if (ctx.depth < 1) {
    const inner = extractIn(foldMarkup(content), { ...ctx, depth: ctx.depth + 1 }, false);
    if (inner.kind !== 'none') return toParsed(inner);
  }
  return { kind: 'non-answer', value: clip(content, 40) };
}

function toParsed(e: Exclude<ChoiceExtraction, { kind: 'none' }>): Parsed {
  switch (e.kind) {
    case 'letters':
      return { kind: 'letters', letters: e.letters, fromOptionText: e.fromOptionText };
    case 'hedge':
      return { kind: 'hedge', letters: e.letters };
    case 'empty':
      return { kind: 'empty' };
    case 'non-answer':
      return { kind: 'non-answer', value: e.value };
  }
}

/** Parses the value after a prose cue ending at `p`. */
function parseCueValue(text: string, p: number, ctx: Ctx): Parsed | null {
  const f = skipFillers(text, p);
  if (f.negated) {
    // "答案：不规则热" where 不规则热 is an option's text: an answer, not a negated cue
    const byText = matchOptionText(text, f.words, ctx, false);
    if (byText) return { kind: 'letters', letters: [byText], fromOptionText: true };
    // "the answer is not C; it is B" / "答案不是C，而是B": the contrasted value is the answer
    NEGATION_RE.lastIndex = f.words;
    const neg = NEGATION_RE.exec(text);
    const g = skipFillers(text, f.words + (neg ? neg[0].length : 0), 40);
    const ruledOut = parseLetterList(text, g.words, ctx, false, false);
    return ruledOut ? parseContrast(text, ruledOut.end, ctx) : null;
  }
  const c = text[f.words];
  if (c === '[' || c === '"' || c === "'") {
    const v = parseJsonValue(text, f.words, ctx);
    if (v && v.kind !== 'non-answer') return v;
  }
  if (text.startsWith('\\boxed', f.words)) return null; // the boxed statement itself is later in the text
  const list = parseLetterList(text, f.words, ctx, false, f.hedge);
  if (list) {
    // "Answer: C is incorrect; B is" / "答案C不正确": a ruled-out value is not an answer
    if (isNegatedAfter(text, list.end)) return parseContrast(text, list.end, ctx);
    return list.hedge
      ? { kind: 'hedge', letters: list.letters.sort() }
      : { kind: 'letters', letters: list.letters.sort(), fromOptionText: false };
  }
  const byText = matchOptionText(text, f.marks, ctx, false) ?? matchOptionText(text, f.words, ctx, false);
  if (byText) return { kind: 'letters', letters: [byText], fromOptionText: true };
  return null;
}

/** After a ruled-out value ending at `p`: the contrasted value ("; it is B", ", but B", "，而是B"), or null. */
function parseContrast(text: string, p: number, ctx: Ctx): Parsed | null {
  // skip the rest of the negated clause's negation ("C is incorrect")
  let q = p;
  const neg = /[ \t]*(?:(?:is|are|was|were|has\s+been)\s+)?(?:ruled\s+out|excluded|incorrect|wrong|not\s+(?:correct|right|the\s+answer))|[ \t]*(?:不正确|错误|不对|已?被?排除)/iy;
  neg.lastIndex = q;
  const m = neg.exec(text);
  if (m) q += m[0].length;
  const c = contrastAt(text, q);
  if (c < 0) return null;
  const f = skipFillers(text, c, 40);
  if (f.negated) return null;
  const list = parseLetterList(text, f.words, ctx, false, f.hedge);
  if (list && !isNegatedAfter(text, list.end)) {
    return list.hedge ? { kind: 'hedge', letters: list.letters.sort() } : { kind: 'letters', letters: list.letters.sort(), fromOptionText: false };
  }
  const byText = matchOptionText(text, f.words, ctx, false);
  return byText ? { kind: 'letters', letters: [byText], fromOptionText: true } : null;
}

/** Parses `\boxed{…}` whose `{` ends at `p`. */
function parseBoxed(text: string, p: number, ctx: Ctx): Parsed | null {
  let depth = 1;
  let i = p;
  const n = Math.min(text.length, p + 400);
  for (; i < n; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) break;
  }
  if (depth !== 0) return null;
  const inner = text
    .slice(p, i)
    .replace(/\\(?:text|mathrm|textbf|mathbf|rm)\s*\{/g, '')
    .replace(/[{}$]/g, '')
    .replace(/\\[,;! ]/g, ' ')
    .replace(/\\quad/g, ' ');
  return parseBare(inner, ctx) ?? (inner.trim() === '' ? { kind: 'empty' } : { kind: 'non-answer', value: clip(inner, 40) });
}

const EMPH_RE = /\*\*|__/g;
/** Removes markdown emphasis markers. */
function foldMarkup(s: string): string {
  return s.indexOf('**') >= 0 || s.indexOf('__') >= 0 ? s.replace(EMPH_RE, '') : s;
}

interface Candidate {
  pos: number;
  end: number;
  type: 'json' | 'boxed' | 'cue' | 'statement' | 'correction';
}

/** How many answer-statement candidates (from the last) are parsed before giving up. */
const MAX_TRIED = 256;

/** Between two sibling answer objects: the first one's value, then `}, {` (`[{"answer":"A"},{"answer":"C"}]`). */
const SIBLING_GAP_RE = /\s*(?:"[^"\n]{0,200}"|'[^'\n]{0,200}'|\[[^\]\n]{0,200}\])\s*\}\s*,\s*\{\s*/y;
/** What may end a corrected value ("Actually A." / "Actually, A" at the end). */
const CLAUSE_END_RE = /[ \t]*(?:[.。!！,;；)\]]|\n|$)/y;

function finish(p: Parsed, via: AnswerSource, index: number, text: string): Exclude<ChoiceExtraction, { kind: 'none' }> {
  const snippet = clip(text.slice(Math.max(0, index), index + 60), 60);
  switch (p.kind) {
    case 'letters':
      return { kind: 'letters', letters: p.letters, via, index, snippet, fromOptionText: p.fromOptionText };
    case 'hedge':
      return { kind: 'hedge', letters: p.letters, via, index, snippet };
    case 'empty':
      return { kind: 'empty', via, index, snippet };
    case 'non-answer':
      return { kind: 'non-answer', value: p.value, via, index, snippet };
  }
}

/** Extraction on an already prepared text (reasoning removed, full-width folded, markup folded). */
function extractIn(text: string, ctx: Ctx, topLevel: boolean): ChoiceExtraction {
  // 1. Answer tag.
  if (topLevel) {
    const open = text.lastIndexOf('<answer>');
    if (open >= 0) {
      const close = text.indexOf('</answer>', open);
      const content = text.slice(open + 8, close < 0 ? text.length : close);
      const bare = parseBare(content, ctx);
      if (bare) return finish(bare, 'answer-tag', open, text);
      const inner = extractIn(content, { ...ctx, depth: ctx.depth + 1 }, false);
      if (inner.kind !== 'none') return { ...inner, via: 'answer-tag', index: open + 8 + inner.index };
      return { kind: 'none', reason: 'the <answer> tag states no option' };
    }
  }
  // 2. Statements: the last one not inside a quotation wins.
  const quotes: Range[] = excludedRanges(text, { prompt: ctx.prompt, options: ctx.rawOptions });
  const cands: Candidate[] = [];
  CUE_RE.lastIndex = 0;
  for (let m = CUE_RE.exec(text); m; m = CUE_RE.exec(text)) {
    const type = m[1] ? 'json' : m[2] ? 'boxed' : m[5] ? 'correction' : 'cue';
    cands.push({ pos: m.index, end: m.index + m[0].length, type });
    if (m[0].length === 0) CUE_RE.lastIndex++;
    // only the last MAX_TRIED candidates are ever parsed: keep the list short on floods of cues
    if (cands.length >= 4 * MAX_TRIED) cands.splice(0, cands.length - MAX_TRIED);
  }
  const cueCount = cands.length;
  const sre = statementRe(ctx.letters);
  sre.lastIndex = 0;
  // a verdict statement needs one of its verdict words: skip the scan when the text has none (the common case)
  const verdicts = text.indexOf('correct') >= 0 || text.indexOf('right') >= 0 || text.indexOf('best') >= 0 || text.indexOf('正确') >= 0;
  for (let m = verdicts ? sre.exec(text) : null; m; m = sre.exec(text)) {
    cands.push({ pos: m.index, end: m.index + m[0].length, type: 'statement' });
    if (cands.length - cueCount >= 4 * MAX_TRIED) cands.splice(cueCount, cands.length - cueCount - MAX_TRIED);
  }
  cands.sort((a, b) => a.pos - b.pos);
  // The last statement wins: try at most MAX_TRIED candidates from the end, so a flood of cues that parse to
  // nothing (答案选答案选…) costs bounded work per candidate and bounded candidates in all.
  for (let k = cands.length - 1, tried = 0; k >= 0 && tried < MAX_TRIED; k--) {
    tried++;
    const cand = cands[k]!;
    if (inRanges(quotes, cand.pos)) continue;
    let parsed: Parsed | null = null;
    let via: AnswerSource = 'cue';
    if (cand.type === 'json') {
      parsed = parseJsonValue(text, cand.end, ctx);
      via = 'json';
      // A list of answer objects states the union of their answers (as QuarkMed's scorer reads it).
      if (parsed && (parsed.kind === 'letters' || parsed.kind === 'hedge')) {
        const union = new Set(parsed.letters);
        let hedge = parsed.kind === 'hedge';
        for (let j = k - 1; j >= 0; j--) {
          const prev = cands[j]!;
          if (prev.type !== 'json' || inRanges(quotes, prev.pos)) break;
          SIBLING_GAP_RE.lastIndex = prev.end;
          const gap = SIBLING_GAP_RE.exec(text);
          if (!gap || gap.index + gap[0].length !== cands[j + 1]!.pos) break;
          const p2 = parseJsonValue(text, prev.end, ctx);
          if (!p2 || (p2.kind !== 'letters' && p2.kind !== 'hedge')) break;
          if (p2.kind === 'hedge') hedge = true;
          for (const L of p2.letters) union.add(L);
        }
        const letters = [...union].sort();
        parsed = hedge ? { kind: 'hedge', letters } : { kind: 'letters', letters, fromOptionText: parsed.kind === 'letters' && parsed.fromOptionText };
      }
    } else if (cand.type === 'correction') {
      const f = skipFillers(text, cand.end, 20);
      const list = f.negated ? null : parseLetterList(text, f.words, ctx, false, f.hedge);
      if (list) {
        CLAUSE_END_RE.lastIndex = list.end;
        if (CLAUSE_END_RE.test(text) && !isNegatedAfter(text, list.end)) {
          parsed = list.hedge ? { kind: 'hedge', letters: list.letters.sort() } : { kind: 'letters', letters: list.letters.sort(), fromOptionText: false };
        }
      }
    } else if (cand.type === 'boxed') {
      parsed = parseBoxed(text, cand.end, ctx);
      via = 'boxed';
    } else if (cand.type === 'statement') {
      let i = cand.pos;
      const f = skipFillers(text, i, 12);
      i = f.words;
      const list = parseLetterList(text, i, ctx, true, false, true);
      // "A or C is correct" is a hedge; "C is correct" right after "or" is one alternative of it
      if (list && isAlternative(text, cand.pos, cand.pos)) parsed = { kind: 'hedge', letters: list.letters.sort() };
      else if (list) parsed = list.hedge ? { kind: 'hedge', letters: list.letters.sort() } : { kind: 'letters', letters: list.letters.sort(), fromOptionText: false };
      via = 'statement';
    } else {
      parsed = parseCueValue(text, cand.end, ctx);
    }
    if (parsed) return finish(parsed, via, cand.pos, text);
  }
  // 3. The whole text is a bare answer.
  const trimmed = text.trim();
  if (trimmed.length > 0 && trimmed.length <= 300 && !inRanges(quotes, text.indexOf(trimmed[0]!))) {
    const bare = parseBare(stripFence(trimmed), ctx);
    if (bare && bare.kind !== 'empty' && bare.kind !== 'non-answer') return finish(bare, 'bare', text.indexOf(trimmed[0]!), text);
  }
  // 4. The last non-empty line is a bare answer.
  if (topLevel) {
    let end = text.length;
    for (let guard = 0; guard < 4 && end > 0; guard++) {
      const start = text.lastIndexOf('\n', end - 1) + 1;
      const line = text.slice(start, end).trim();
      if (line.length === 0 || /^`{3,}/.test(line)) {
        end = start - 1;
        continue;
      }
      if (line.length <= 200 && !inRanges(quotes, start + (text.slice(start, end).length - text.slice(start, end).trimStart().length))) {
        const bare = parseBare(line, ctx);
        if (bare && bare.kind === 'letters') return finish(bare, 'last-line', start, text);
      }
      break;
    }
  }
  return { kind: 'none', reason: cands.length === 0 ? 'no answer statement found' : 'no answer statement could be parsed (quoted, negated or not an option)' };
}

function stripFence(s: string): string {
  if (!s.startsWith('```')) return s;
  const nl = s.indexOf('\n');
  const body = nl < 0 ? '' : s.slice(nl + 1);
  return body.endsWith('```') ? body.slice(0, -3) : body;
}

const ctxCache = new Map<string, Ctx>();
/** The context of an options object, cached per object (one question is verified over many completions). */
const optionsCtxCache = new WeakMap<object, Ctx>();
/** Builds (and caches) the extraction context. */
function makeCtx(opts: ChoiceExtractionOptions): Ctx {
  let ctx: Ctx | undefined;
  if (opts.options) {
    ctx = optionsCtxCache.get(opts.options);
    if (!ctx) {
      const entries = Object.entries(opts.options);
      const letters = entries.map(([k]) => k.trim().toUpperCase()).filter((k) => /^[A-Z]$/.test(k)).join('');
      const options = entries
        .filter(([k]) => /^[A-Za-z]$/.test(k.trim()))
        .map(([k, v]) => [k.trim().toUpperCase(), normalizeLoose(String(v ?? ''))] as [string, string])
        .sort((a, b) => b[1].length - a[1].length);
      let maxOptLen = 0;
      for (const [, v] of entries) maxOptLen = Math.max(maxOptLen, String(v ?? '').length);
      ctx = { letters: letters || 'ABCDE', options, depth: 0, maxOptLen, rawOptions: opts.options };
      optionsCtxCache.set(opts.options, ctx);
    }
  } else {
    const letters = (opts.letters ?? 'ABCDE').toUpperCase();
    ctx = ctxCache.get(letters);
    if (!ctx) {
      ctx = { letters, options: [], depth: 0, maxOptLen: 0 };
      ctxCache.set(letters, ctx);
    }
  }
  if (!opts.prompt) return ctx;
  const withPrompt: Ctx = { letters: ctx.letters, options: ctx.options, depth: 0, maxOptLen: ctx.maxOptLen, prompt: opts.prompt };
  if (ctx.rawOptions) withPrompt.rawOptions = ctx.rawOptions;
  return withPrompt;
}

/**
 * Finds the stated answer of a multiple-choice completion (see the module documentation for the rules).
 *
 * @param completion - the model's output.
 * @param opts - the options (letter → text) or the allowed letters.
 * @returns the extraction; `kind: 'none'` with a reason when nothing was stated.
 */
export function extractChoice(completion: string, opts: ChoiceExtractionOptions = {}): ChoiceExtraction {
  if (typeof completion !== 'string') return { kind: 'none', reason: 'the completion is not a string' };
  const ctx = makeCtx(opts);
  const text = foldMarkup(answerText(completion));
  if (text.trim().length === 0) {
    return { kind: 'none', reason: completion.trim().length === 0 ? 'empty completion' : 'the completion has only reasoning' };
  }
  return extractIn(text, ctx, true);
}

/**
 * Parses a gold answer (`'AC'`, `'A,C'`, `'A、C'`, `['A','C']`, `'B '`, `'b'`) to sorted unique upper-case letters.
 *
 * @throws {@link VerifierArgumentError} naming `answer` when it holds no letter or something other than letters and separators.
 */
export function parseGoldLetters(answer: string | readonly string[]): string[] {
  if (typeof answer === 'string') {
    const hit = goldCache.get(answer);
    if (hit) return [...hit];
    const letters = parseGold(answer);
    if (goldCache.size >= 4096) goldCache.clear();
    goldCache.set(answer, letters);
    return [...letters];
  }
  return parseGold(answer);
}

/** Parsed gold strings (few distinct values recur over a run: 'A', 'B', 'AC', …). */
const goldCache = new Map<string, readonly string[]>();

function parseGold(answer: string | readonly string[]): string[] {
  const raw = Array.isArray(answer) ? answer.join(',') : String(answer);
  const s = raw.normalize('NFKC').toUpperCase();
  const out: string[] = [];
  for (const ch of s) {
    if (ch >= 'A' && ch <= 'Z') {
      if (!out.includes(ch)) out.push(ch);
    } else if (!/[\s,、/;&+|[\]"']/.test(ch)) {
      throw new VerifierArgumentError('answer', `expected option letters like 'B' or 'AC', got ${JSON.stringify(clip(raw, 40))}`);
    }
  }
  if (out.length === 0) throw new VerifierArgumentError('answer', `expected at least one option letter, got ${JSON.stringify(clip(raw, 40))}`);
  return out.sort();
}
