/**
 * The answer policy shared by every rule verifier (multiple choice, yes/no/maybe, numeric, ICD-10, the ontology
 * resolver, drug JSON and keywords). GRPO optimises whatever a verifier rewards, so the same rules decide, in
 * every verifier, what a completion *states*:
 *
 * 1. **Reasoning is not an answer.** `<think>…</think>` (and `<thinking>`, `<reasoning>`, `<thought>`) blocks are
 *    removed before anything is read ({@link answerText}).
 * 2. **Quoted and copied text is not an answer.** Answer cues, values and mentions inside a quoted passage
 *    ({@link quotedRanges}: blockquotes, `“…”`, `「…」`, `『…』`, straight quotes around text with spaces) or
 *    inside text copied from the prompt ({@link copiedRanges}: lines formatted like option lines `C. …` in a
 *    list of two or more, the text of an option line that repeats the option's text, and — when the verifier is
 *    given the `prompt` — every line that repeats a line of the prompt) are ignored. So an "Answer: C" that the
 *    model copied inside the option lines neither earns a reward nor overrides its own "Answer: B".
 * 3. **The last statement wins; corrections count.** Of several answer statements the last one (by position)
 *    is the answer; a correction cue ({@link CORRECTION_CUE}: "Actually A.", "更正为A") is a statement, so
 *    "Final answer: B. Actually A." states A.
 * 4. **A hedge earns nothing.** Alternatives joined by "or"/"either"/"versus"/"/"/或/还是, a numeric range
 *    ("400–600 mg"), a list of values where one is asked for ("100 mg, 200 mg, 500 mg"; "yes, no, maybe"; several
 *    letters on a single-response question), or a disease name glossed with a different disease in
 *    parentheses, score no more than a wrong answer (reward 0). Set-valued answers are not hedges: several
 *    ICD-10 codes joined by "and"/","/"、" are scored as a set (precision falls with every extra code), and
 *    drug lists by F1; but an alternative inside a set ("I10 or E11.9", "aspirin or clopidogrel") is a hedge.
 *    Keywords: a required test mentioned only as an alternative to a different test ("CT or MRI") is not
 *    ordered, while a forbidden test in such a hedge still counts as mentioned.
 * 5. **A ruled-out candidate is not stated.** A negated candidate ({@link NEGATION_BEFORE}: "not E11.9", "排除
 *    E11.9", "the answer is not C"; {@link NEGATION_AFTER}: "E11.9 was ruled out", "C is incorrect", "E11.9已排除")
 *    earns nothing. A contrast after a negated statement states the answer ({@link CONTRAST_CUE}: "The correct
 *    answer is not C; it is B." → B; 不是C，而是B → B).
 * 6. **A question is not an answer.** A candidate followed by a question mark ("I10? I11?", "C?") is asked, not
 *    stated ({@link isQuestioned}); keywords: a test mentioned in a clause that ends with a question mark
 *    ("Which test (ECG, troponin?) first?") is not ordered ({@link inQuestion}). So copying a question that lists
 *    the candidates earns nothing even when the verifier is not given the prompt.
 *
 * Unusable values (`{"answer": null}`, a number where a letter is asked for) are `unparseable`; nothing is
 * defaulted silently.
 *
 * Everything here runs in time linear in the input length.
 *
 * @packageDocumentation
 */
import { CONTRAST_CUE, HEDGE_WORD, NEGATION_AFTER, NEGATION_BEFORE, stickyRegExp } from './cues';
import type { VerifyContext } from '../types';
import { normalizeLoose, quotedRanges, type Range } from './text';

export { CORRECTION_CUE } from './cues';

/** What a verifier may know about the prompt, so that text copied from it is not read as an answer. */
export interface PromptContext extends VerifyContext {
  /** Option letter → option text (multiple choice). */
  options?: Readonly<Record<string, string>>;
}

/** A line formatted like an option line: `C. text`, `C) text`, `(C) text`, `C、text`, `C: text` (also after `-`/`*`). */
const OPTION_LINE_RE = /[ \t]*(?:[-*•][ \t]*)?(?:\(([A-Z])\)|([A-Z])[.．、:：)])[ \t]*/y;

/** Option letter → normalised option text, cached per options object. */
const optionCache = new WeakMap<object, Map<string, string>>();
function normalizedOptions(options: Readonly<Record<string, string>>): Map<string, string> {
  let m = optionCache.get(options);
  if (!m) {
    m = new Map();
    for (const [k, v] of Object.entries(options)) m.set(k.trim().toUpperCase(), normalizeLoose(String(v ?? '')));
    optionCache.set(options, m);
  }
  return m;
}

interface OptionLine {
  start: number;
  end: number;
  letter: string;
  /** Where the option's text starts (after the label). */
  textStart: number;
}

/** The shortest prompt line (normalised) treated as copied when it reappears in the completion. */
const MIN_COPIED_LINE = 12;

/** Prompt lines as a set of normalised lines (cached by prompt). */
let promptCache: { prompt: string; lines: Set<string> } | undefined;
function promptLines(prompt: string): Set<string> {
  if (promptCache?.prompt === prompt) return promptCache.lines;
  const lines = new Set<string>();
  for (const line of prompt.split('\n')) {
    const k = normalizeLoose(line);
    if (k.length >= MIN_COPIED_LINE) lines.add(k);
  }
  promptCache = { prompt, lines };
  return lines;
}

/**
 * Ranges of `text` copied from the prompt, whose content is never an answer statement (rule 2 of the module
 * documentation):
 *
 * - every line of a run of two or more consecutive option-formatted lines with distinct letters (blank lines
 *   between them allowed): the whole line, label included — an option list is a copy of the prompt, not a choice;
 * - the text part of a single option-formatted line whose text starts with that option's text (`options` given):
 *   `C. Alteplase — the correct answer is C` (the label itself still counts as a bare answer `C`);
 * - with `prompt`: every line whose normalised text (at least 12 characters) equals a line of the prompt.
 *
 * @param text - the answer text (reasoning removed), in the same form the verifier reads.
 * @param ctx - the prompt and options, when the verifier knows them.
 * @returns sorted ranges.
 */
export function copiedRanges(text: string, ctx: PromptContext = {}): Range[] {
  const out: Range[] = [];
  const lines = ctx.prompt ? promptLines(ctx.prompt) : undefined;
  const options = ctx.options;
  // The current run of option-formatted lines (flushed by a module function, not a closure: the hot path).
  const run: OptionLine[] = [];
  const n = text.length;
  for (let start = 0; start <= n; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    // cheap pre-check: skip blanks and look at the first character before running the option-line expression
    let f = start;
    while (f < end && (text.charCodeAt(f) === 32 || text.charCodeAt(f) === 9)) f++;
    const fc = f < end ? text.charCodeAt(f) : -1;
    let m: RegExpExecArray | null = null;
    if ((fc >= 65 && fc <= 90) || fc === 40 || fc === 45 || fc === 42 || fc === 0x2022) {
      OPTION_LINE_RE.lastIndex = start;
      m = OPTION_LINE_RE.exec(text);
    }
    if (m && m.index + m[0].length < end) {
      const letter = (m[1] ?? m[2])!;
      for (const r of run) {
        if (r.letter === letter) {
          flushRun(text, run, options, out);
          break;
        }
      }
      run.push({ start, end, letter, textStart: m.index + m[0].length });
    } else if (fc !== -1 && fc !== 13 && run.length > 0) flushRun(text, run, options, out);
    if (lines && end - start >= MIN_COPIED_LINE && end - start < 4000) {
      const k = normalizeLoose(text.slice(start, end));
      if (k.length >= MIN_COPIED_LINE && lines.has(k)) out.push([start, end]);
    }
    start = end + 1;
  }
  flushRun(text, run, options, out);
  return out;
}

/** Ends a run of option-formatted lines: a list (two or more) is copied; one line repeating its option's text is too. */
function flushRun(text: string, run: OptionLine[], options: Readonly<Record<string, string>> | undefined, out: Range[]): void {
  if (run.length >= 2) for (const l of run) out.push([l.start, l.end]);
  else if (run.length === 1 && options) {
    const l = run[0]!;
    const want = normalizedOptions(options).get(l.letter);
    const got = normalizeLoose(text.slice(l.textStart, l.end));
    if (want && got !== want && got.startsWith(want)) out.push([l.textStart, l.end]);
  }
  run.length = 0;
}

/** Merges ranges into sorted, non-overlapping ranges (for binary search with `inRanges`). */
export function mergeRanges(...lists: ReadonlyArray<readonly Range[]>): Range[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 0) return [];
  if (nonEmpty.length === 1 && isSortedDisjoint(nonEmpty[0]!)) return nonEmpty[0] as Range[];
  const all = nonEmpty.flat().filter((r) => r[1] > r[0]);
  all.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of all) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function isSortedDisjoint(r: readonly Range[]): boolean {
  for (let i = 1; i < r.length; i++) if (r[i]![0] < r[i - 1]![1]) return false;
  return true;
}

/**
 * Ranges of `text` that are never an answer statement: quoted passages and text copied from the prompt
 * (rule 2 of the module documentation).
 */
export function excludedRanges(text: string, ctx: PromptContext = {}): Range[] {
  return mergeRanges(quotedRanges(text), copiedRanges(text, ctx));
}

const NEG_BEFORE_TAIL = new RegExp(`(?:${NEGATION_BEFORE})[ \\t]*(?:[:：]|the|a|an|code|is|是|为)?[ \\t]*["'(（]?$`, 'i');
const NEG_AFTER_RE = stickyRegExp(`[ \\t]*(?:\\([^()\\n]{0,60}\\)|（[^（）\\n]{0,60}）)?[ \\t]*(?:${NEGATION_AFTER})`);
const HEDGE_BEFORE_TAIL = new RegExp(`(?:${HEDGE_WORD}|/)[ \\t]*$`, 'i');
const HEDGE_AFTER_RE = stickyRegExp(`[ \\t]*(?:${HEDGE_WORD}|/)[ \\t]*`);
const CONTRAST_RE = stickyRegExp(CONTRAST_CUE);

/**
 * Whether the candidate at `[start, end)` is ruled out (rule 5): a negation right before it in the same clause
 * (at most a few words: "not E11.9", "rule out I10", "排除E11.9", "不是C") or right after it ("E11.9 was ruled
 * out", "C is incorrect", "E11.9 (diabetes) was excluded", "E11.9已排除").
 */
export function isNegated(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 24), start);
  const cut = Math.max(before.lastIndexOf('.'), before.lastIndexOf(';'), before.lastIndexOf('\n'), before.lastIndexOf('。'), before.lastIndexOf('；'));
  if (NEG_BEFORE_TAIL.test(cut >= 0 ? before.slice(cut + 1) : before)) return true;
  return isNegatedAfter(text, end);
}

/** Whether a negation follows a candidate ending at `end` ("C is incorrect", "E11.9 was ruled out", "E11.9已排除"). */
export function isNegatedAfter(text: string, end: number): boolean {
  NEG_AFTER_RE.lastIndex = end;
  return NEG_AFTER_RE.test(text);
}

/**
 * Whether the candidate at `[start, end)` is one alternative of a hedge (rule 4): "or"/"either"/"versus"/"/"/
 * 或/还是 directly before or after it.
 */
export function isAlternative(text: string, start: number, end: number): boolean {
  if (HEDGE_BEFORE_TAIL.test(text.slice(Math.max(0, start - 12), start))) return true;
  HEDGE_AFTER_RE.lastIndex = end;
  const m = HEDGE_AFTER_RE.exec(text);
  return m !== null && m.index + m[0].length < text.length && !/^\s*$/.test(text.slice(m.index + m[0].length, m.index + m[0].length + 1));
}

/**
 * After a negated statement ending at `p` ("the answer is not C"), the position where the contrasted value
 * starts ("; it is B", ", but B", "，而是B"), or -1 when no contrast follows.
 */
export function contrastAt(text: string, p: number): number {
  CONTRAST_RE.lastIndex = p;
  const m = CONTRAST_RE.exec(text);
  return m && m[0].trim().length > 0 ? m.index + m[0].length : -1;
}

/**
 * A reference with the context's prompt filled in (when the reference has none), for the rule verifiers whose
 * reference carries the prompt (`prompt` of the multiple-choice, yes/no/maybe, numeric, keyword and drug
 * references): so `verifier.verify(completion, ref, { prompt })` (a {@link HybridVerifier}, the registry) works
 * like `verify(completion, { ...ref, prompt })`. The reference's own prompt wins.
 */
export function withPrompt<R extends { prompt?: string }>(ref: R, context: VerifyContext | undefined): R {
  if (!context || typeof context.prompt !== 'string' || ref === null || typeof ref !== 'object' || typeof ref.prompt === 'string') return ref;
  return { ...ref, prompt: context.prompt };
}

const QUESTIONED_RE = /[ \t]*[?？]/y;

/** Whether a candidate ending at `end` is directly followed by a question mark ("I10?", "C ?"): asked, not stated (rule 6). */
export function isQuestioned(text: string, end: number): boolean {
  QUESTIONED_RE.lastIndex = end;
  return QUESTIONED_RE.test(text);
}

/** How far {@link inQuestion} looks for the end of the clause. */
const QUESTION_WINDOW = 160;

/**
 * What {@link inQuestion} learnt about one text: no clause end in `[from, to)`, and whether the clause end at `to`
 * is a question mark when `found`. Pass one (`{}`) per text to make floods of mentions cost linear time in all.
 */
export interface ClauseMemo {
  from?: number;
  to?: number;
  found?: boolean;
  isQuestion?: boolean;
}

/**
 * Whether the clause holding a mention that ends at `end` is a question (rule 6): the first clause end after it
 * (`.`, `;`, `!`, `?`, a line end, or their full-width forms, within 160 characters) is a question mark.
 * "Which test (ECG, troponin, chest X-ray?) first?" → every test in it; "Order an ECG. Why? …" → not the ECG.
 *
 * @param memo - reused across the mentions of one text (amortised linear time); never across texts
 */
export function inQuestion(text: string, end: number, memo: ClauseMemo = {}): boolean {
  const limit = Math.min(text.length, end + QUESTION_WINDOW);
  let i = end;
  if (memo.from !== undefined && memo.to !== undefined && memo.from <= end && end <= memo.to) {
    // no clause end in [end, to): the clause end at `to` decides, if it lies within this mention's window
    if (memo.found) return memo.to < limit && memo.isQuestion === true;
    i = memo.to;
  } else {
    memo.from = end;
    memo.to = end;
    memo.found = false;
  }
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    let stop = false;
    let question = false;
    if (c === 63 /* ? */ || c === 0xff1f) stop = question = true;
    else if (c === 46 /* . */) {
      // a decimal point ("2.5 mg") does not end a clause
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
      stop = !(d >= 48 && d <= 57);
    } else stop = c === 59 || c === 33 || c === 10 || c === 0x3002 || c === 0xff1b || c === 0xff01;
    if (stop) {
      memo.to = i;
      memo.found = true;
      memo.isQuestion = question;
      return question;
    }
  }
  memo.to = i;
  return false;
}
