/**
 * Yes/no/maybe verification (PubMedQA style), English and Chinese.
 *
 * The stated label is found like a multiple-choice answer (reasoning removed, quoted passages ignored, the
 * **last** statement wins): an `<answer>` tag, a JSON `"answer"` value, `\boxed{}`, or a cue ("Answer:",
 * "the answer is", "Final answer", 答案：, 答案是, 结论：) followed by a label; when no statement exists, the
 * whole answer part being a label ("Yes.") or its first word being a label followed by `,`/`.` ("No, the trial
 * showed…") counts. Labels: yes / no / maybe, with `true`/`false`, "uncertain", "unclear", "possibly" and
 * Chinese 是/是的/对 (yes), 否/不是/不 (no), 可能/不确定/也许/或许 (maybe).
 *
 * The answer policy (`answer-policy.ts`) applies: cues come from the shared cue rules (`cues.ts`); cues inside
 * quoted passages or text copied from the prompt (`prompt`) are ignored; a correction ("Final answer: yes.
 * Actually, no.") replaces the earlier label; a **hedge** earns nothing: two different labels joined by
 * "or"/"/"/或 ("yes or no"), or a list of different labels that is the whole statement ("yes and no", "yes, no,
 * maybe", 是和否) — while "Yes, and no further tests were needed" states yes. A negated label ("the answer is
 * not yes") is not a statement.
 *
 * @packageDocumentation
 */
import type { VerificationResult, Verifier } from '../types';
import { excludedRanges, withPrompt } from './answer-policy';
import { CORRECTION_CUE, cueRegExp, EN_ANSWER_CUE, JSON_ANSWER_KEY_CUE, ZH_ANSWER_CUE } from './cues';
import { answerText, clip, inRanges } from './text';
import { expectObject, VerifierArgumentError } from '../argument-error';

/** A yes/no/maybe label. */
export type YesNoMaybe = 'yes' | 'no' | 'maybe';

/** The reference of a yes/no/maybe question. */
export interface YesNoMaybeReference {
  /** Gold label: `'yes' | 'no' | 'maybe'` (also `是`/`否`/`可能`, any case, surrounding spaces ignored). */
  answer: string;
  /** The prompt: cues in lines copied from it are ignored. */
  prompt?: string;
}

const LABEL_RE =
  /(?:(?<yes>yes|true|correct)|(?<no>no|false)|(?<maybe>maybe|possibly|uncertain|unclear|not\s+sure|undetermined))(?![A-Za-z])|(?<zhmaybe>可能|不确定|也许|或许|无法确定)|(?<zhyes>是的|是|对|肯定)|(?<zhno>不是|否|不|错)/iy;
/** Answer cues: the shared cues (`cues.ts`), JSON `"结论":`, and the correction cues (group 1). */
const CUE_RE = cueRegExp(`(${CORRECTION_CUE})`, JSON_ANSWER_KEY_CUE, `["']结论["']\\s*:`, String.raw`\\boxed\s*\{`, EN_ANSWER_CUE, ZH_ANSWER_CUE);
/** Separators of a label list: "or"-like ones make any list a hedge; the others only a whole-statement list. */
const OR_SEP_RE = /[ \t]*(?:\bor\b|或者?|还是|\/)[ \t]*/iy;
const AND_SEP_RE = /[ \t]*(?:,|、|;|\band\b|和|与|及)[ \t]*/iy;
const TERMINATOR_RE = /[ \t]*(?:[.。!！?？,;；\n)]|$)/y;
const SKIP_RE = /(?:[\s:=\-–—*`"'{$,]+|\\text\s*\{|(?:is|the|answer|final|would\s+be)\b|为|是(?=[是否不可对])|：)/iy;

/** Parses a label at `p` after skipping filler; null when none. Hedges ("yes or no") give `'hedge'`. */
function labelAt(text: string, p: number, clauseEnd = false): YesNoMaybe | 'hedge' | null {
  let i = p;
  for (let k = 0; k < 8 && i - p < 60; k++) {
    SKIP_RE.lastIndex = i;
    const m = SKIP_RE.exec(text);
    if (!m || m[0].length === 0) break;
    i += m[0].length;
  }
  const first = readLabel(text, i);
  if (!first) return null;
  // "yes or no", "是或否": a hedge; "yes and no", "yes, no, maybe", "是和否": a hedge when the list is the statement
  let end = first.end;
  let differ = false;
  let anyOr = false;
  for (let k = 0; k < 4; k++) {
    OR_SEP_RE.lastIndex = end;
    AND_SEP_RE.lastIndex = end;
    const m = OR_SEP_RE.exec(text) ?? AND_SEP_RE.exec(text);
    if (!m) break;
    const next = readLabel(text, end + m[0].length);
    if (!next) break;
    TERMINATOR_RE.lastIndex = next.end;
    const isOr = /or|或|还是|\//i.test(m[0]);
    if (!isOr && !TERMINATOR_RE.test(text) && !/^[ \t]*(?:,|、|or|and|和|或|\/)/i.test(text.slice(next.end, next.end + 5))) break;
    if (next.label !== first.label) differ = true;
    if (isOr) anyOr = true;
    end = next.end;
  }
  if (differ || (anyOr && end > first.end)) return 'hedge';
  // "yes" must not be a question ("yes?"); after a correction cue the label must end its clause ("Actually, no.")
  if (/^\s*[?？]/.test(text.slice(first.end, first.end + 4))) return null;
  // "correct"/"true"/"false" are labels only as a whole value ("Answer: true."), not in "the correct answer is …"
  if (clauseEnd || /^(?:correct|true|false)$/i.test(text.slice(i, first.end))) {
    TERMINATOR_RE.lastIndex = first.end;
    if (!TERMINATOR_RE.test(text)) return null;
  }
  return first.label;
}

function readLabel(text: string, i: number): { label: YesNoMaybe; end: number } | null {
  LABEL_RE.lastIndex = i;
  const m = LABEL_RE.exec(text);
  if (!m) return null;
  const g = m.groups ?? {};
  const label: YesNoMaybe = g.yes || g.zhyes ? 'yes' : g.no || g.zhno ? 'no' : 'maybe';
  // Chinese 不 / 是 are only labels when not the start of a longer word (不典型, 是由于).
  if ((g.zhno === '不' || g.zhyes === '是') && i + 1 < text.length && /[\u4e00-\u9fff]/.test(text[i + 1]!)) return null;
  return { label, end: i + m[0].length };
}

/**
 * Finds the stated yes/no/maybe label of a completion.
 *
 * @returns the label with where it was found, or `null` (with a reason) when nothing was stated.
 */
export function extractYesNoMaybe(completion: string, prompt?: string): { label: YesNoMaybe | 'hedge'; index: number; via: string } | { label: null; reason: string } {
  if (typeof completion !== 'string') return { label: null, reason: 'the completion is not a string' };
  const text = answerText(completion).replace(/\*\*|__/g, '');
  if (text.trim().length === 0) return { label: null, reason: 'no answer outside the reasoning' };
  const tag = text.lastIndexOf('<answer>');
  if (tag >= 0) {
    const close = text.indexOf('</answer>', tag);
    const content = text.slice(tag + 8, close < 0 ? text.length : close);
    const l = labelAt(content, 0);
    if (l) return { label: l, index: tag, via: 'answer-tag' };
  }
  const quotes = excludedRanges(text, prompt === undefined ? {} : { prompt });
  const cands: Array<[number, number, boolean]> = [];
  CUE_RE.lastIndex = 0;
  for (let m = CUE_RE.exec(text); m; m = CUE_RE.exec(text)) cands.push([m.index, m.index + m[0].length, m[1] !== undefined]);
  for (let k = cands.length - 1; k >= 0; k--) {
    const [pos, end, correction] = cands[k]!;
    if (inRanges(quotes, pos)) continue;
    const l = labelAt(text, end, correction);
    if (l) return { label: l, index: pos, via: correction ? 'correction' : 'cue' };
  }
  // Bare: the whole answer is a label, or it starts with one ("No, …" / "Yes.").
  const start = text.search(/\S/);
  const l = labelAt(text, start);
  if (l) {
    const after = text.slice(start).match(/^[A-Za-z\u4e00-\u9fff ]{1,12}?(?=[,.;:!，。；：！\n]|$)/);
    const whole = text.trim().length <= 20;
    if (l === 'hedge' || whole || after) return { label: l, index: start, via: 'bare' };
  }
  return { label: null, reason: cands.length ? 'no label after the answer cues' : 'no answer statement found' };
}

/** Normalises a gold label. @throws {@link VerifierArgumentError} naming `answer` for anything else. */
export function parseYesNoMaybe(answer: string): YesNoMaybe {
  const s = String(answer).trim().toLowerCase();
  const l = readLabel(s, 0);
  if (!l || l.end !== s.length) throw new VerifierArgumentError('answer', `expected 'yes', 'no' or 'maybe', got ${JSON.stringify(clip(String(answer), 40))}`);
  return l.label;
}

/**
 * Verifies a yes/no/maybe completion: reward 1 for the gold label, 0 otherwise; `unparseable` when nothing
 * was stated, `incorrect` for a hedge.
 *
 * @throws {@link VerifierArgumentError} naming `answer` when the gold is not a label.
 */
export function verifyYesNoMaybe(completion: string, ref: YesNoMaybeReference): VerificationResult {
  expectObject(ref, 'ref', 'a yes/no/maybe reference');
  const gold = parseYesNoMaybe(ref.answer);
  const e = extractYesNoMaybe(completion, typeof ref.prompt === 'string' ? ref.prompt : undefined);
  if (e.label === null) return { reward: 0, verdict: 'unparseable', evidence: e.reason, source: 'rule', details: { gold } };
  if (e.label === 'hedge') {
    return { reward: 0, verdict: 'incorrect', evidence: `hedged (${e.via}); a hedge earns nothing`, source: 'rule', details: { gold, hedge: true } };
  }
  const ok = e.label === gold;
  return {
    reward: ok ? 1 : 0,
    verdict: ok ? 'correct' : 'incorrect',
    evidence: `stated ${e.label} (${e.via}), gold ${gold}`,
    source: 'rule',
    details: { gold, stated: e.label, via: e.via },
  };
}

/** A {@link Verifier} (the context's `prompt` fills the reference's, see `withPrompt`) for yes/no/maybe. */
export const yesNoMaybeVerifier: Verifier<YesNoMaybeReference> = {
  name: 'yes-no-maybe',
  verify: (completion, ref, context) => verifyYesNoMaybe(completion, withPrompt(ref, context)),
};
