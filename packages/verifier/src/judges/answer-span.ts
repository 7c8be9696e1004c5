/**
 * Extraction of the final answer span of a free-text completion, and the string key used to compare
 * disease names.
 *
 * @packageDocumentation
 */

import { excludedRanges } from '../rules/answer-policy';
import { CORRECTION_CUE, HEDGE_WORD, NEGATION_AFTER, NEGATION_BEFORE } from '../rules/cues';
import { inRanges } from '../rules/text';

/** Answer markers ("Answer:", "Final diagnosis:", 答案：, 诊断：) and correction cues ("Actually, …", 更正：). */
const MARKER_RE = new RegExp(
  String.raw`(?:final\s+(?:answer|diagnos[ie]s)|answer|diagnos[ie]s|the\s+diagnosis\s+is|最终答案|正确答案|答案|最终诊断|诊断|结论)\s*(?:is|为|是)?\s*[:：]|(?:${CORRECTION_CUE})[ \t]*[,，:：]?`,
  'gi',
);
const THINK_RE = /<think>[\s\S]*?(?:<\/think>|$)/gi;

/**
 * The answer span of a completion: the rest of the line after the last answer marker ("Answer:",
 * "Final diagnosis:", "答案：", "诊断："), else the last non-empty line; `<think>` blocks removed,
 * surrounding quotes, bold marks and final punctuation stripped. Linear time.
 *
 * @param completion - the model's output
 */
export function extractAnswerSpan(completion: string, prompt?: string): string {
  if (typeof completion !== 'string') return '';
  const text = completion.replace(THINK_RE, '');
  const excluded = excludedRanges(text, prompt === undefined ? {} : { prompt });
  let last = -1;
  MARKER_RE.lastIndex = 0;
  for (let m = MARKER_RE.exec(text); m; m = MARKER_RE.exec(text)) if (!inRanges(excluded, m.index)) last = m.index + m[0].length;
  let span = '';
  if (last >= 0) {
    const nl = text.indexOf('\n', last);
    span = text.slice(last, nl < 0 ? text.length : nl);
    if (span.trim().length === 0) span = text.slice(last).split('\n').find((l) => l.trim().length > 0) ?? '';
  } else {
    // the last non-empty line that is not quoted or copied from the prompt
    for (let end = text.length; end > 0 && span === ''; ) {
      const start = text.lastIndexOf('\n', end - 1) + 1;
      const line = text.slice(start, end);
      const lead = line.length - line.trimStart().length;
      if (line.trim().length > 0 && !inRanges(excluded, start + lead)) span = line;
      end = start - 1;
    }
  }
  return span.replace(/\*\*/g, '').trim().replace(/^["'“”‘’「」]+|["'“”‘’「」]+$/g, '').replace(/[.。!！;；,，]+$/, '').trim();
}

/** How an answer span states its answer under the answer policy (`rules/answer-policy.ts`). */
export interface AnswerReading {
  /** The answer with a ruled-out part before a contrast removed ("not MI; pulmonary embolism" → "pulmonary embolism"). */
  answer: string;
  /** The whole answer is ruled out ("not pulmonary embolism", "pulmonary embolism was ruled out", 排除肺栓塞). */
  negated: boolean;
  /** The answer ends with a question mark ("Answer: myocardial infarction?"): asked, not stated. */
  questioned: boolean;
  /** Alternatives joined by "or"/"versus"/"/"/或/还是 (one element when none). */
  alternatives: string[];
  /** Text outside and inside a final parenthesis ("E11.9 (type 2 diabetes)"), when there is one. */
  gloss?: { outer: string; inner: string };
}

const CONTRAST_SPAN_RE = new RegExp(
  String.raw`^(?:${NEGATION_BEFORE})\s*(.{1,200}?)\s*[;,，；]\s*(?:but|rather|instead|it\s+is|it's|而是|应为|是)?\s*(.{1,300})$`,
  'i',
);
const NEGATED_START_RE = new RegExp(String.raw`^(?:${NEGATION_BEFORE})`, 'i');
const NEGATED_END_RE = new RegExp(String.raw`(?:${NEGATION_AFTER})\s*$`, 'i');
const ALT_SPLIT_RE = new RegExp(String.raw`\s*(?:${HEDGE_WORD}|/)\s*`, 'i');

/**
 * Reads an answer span under the answer policy: a contrast after a ruled-out part ("not X; Y", "不是X，而是Y")
 * states Y; a span that only rules something out is negated; a span ending with a question mark is asked, not
 * stated; alternatives ("X or Y") and a final parenthesis
 * are returned for the caller to decide whether they name different concepts (a hedge) or the same one.
 */
export function readAnswerSpan(span: string): AnswerReading {
  let answer = span.trim().slice(0, 500);
  const c = CONTRAST_SPAN_RE.exec(answer);
  if (c) answer = c[2]!.trim();
  const negated = NEGATED_START_RE.test(answer) || NEGATED_END_RE.test(answer);
  const bare = answer.replace(/^(?:either\s+)/i, '');
  const alternatives = bare.split(ALT_SPLIT_RE).map((a) => a.trim()).filter((a) => a.length > 0);
  const m = /^(.*?)[(（](.*?)[)）]\s*$/.exec(answer);
  const questioned = /[?？]\s*$/.test(answer);
  const reading: AnswerReading = { answer, negated, questioned, alternatives: alternatives.length ? alternatives : [answer] };
  if (m && m[1]!.trim() && m[2]!.trim()) reading.gloss = { outer: m[1]!.trim(), inner: m[2]!.trim() };
  return reading;
}

/**
 * Candidate strings of an answer span: the span, the text outside parentheses and the text inside them
 * ("E11.9 (type 2 diabetes)" → the span, "E11.9", "type 2 diabetes"), without duplicates.
 */
export function answerCandidates(span: string): string[] {
  const out = [span];
  const m = /^(.*?)[(（](.*?)[)）]\s*$/.exec(span);
  if (m) out.push(m[1]!.trim(), m[2]!.trim());
  return [...new Set(out.filter((s) => s.length > 0))];
}

/**
 * Comparison key of a disease name: NFKC, lower case, possessive "'s" dropped, punctuation to spaces,
 * spaces collapsed (CJK characters kept).
 */
export function nameKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’]s\b/g, 's')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** {@link nameKey} with its words sorted ("diabetes mellitus type 2" = "type 2 diabetes mellitus"). */
export function sortedNameKey(text: string): string {
  return nameKey(text).split(' ').sort().join(' ');
}
