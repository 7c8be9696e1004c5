/**
 * Extraction of the final answer span of a free-text completion, and the string key used to compare
 * disease names.
 *
 * @packageDocumentation
 */

const MARKER_RE =
  /(?:final\s+(?:answer|diagnos[ie]s)|answer|diagnos[ie]s|the\s+diagnosis\s+is|最终答案|正确答案|答案|最终诊断|诊断|结论)\s*(?:is|为|是)?\s*[:：]/gi;
const THINK_RE = /<think>[\s\S]*?(?:<\/think>|$)/gi;

/**
 * The answer span of a completion: the rest of the line after the last answer marker ("Answer:",
 * "Final diagnosis:", "答案：", "诊断："), else the last non-empty line; `<think>` blocks removed,
 * surrounding quotes, bold marks and final punctuation stripped. Linear time.
 *
 * @param completion - the model's output
 */
export function extractAnswerSpan(completion: string): string {
  if (typeof completion !== 'string') return '';
  const text = completion.replace(THINK_RE, '');
  let last = -1;
  MARKER_RE.lastIndex = 0;
  for (let m = MARKER_RE.exec(text); m; m = MARKER_RE.exec(text)) last = m.index + m[0].length;
  let span: string;
  if (last >= 0) {
    span = text.slice(last).split('\n').find((l) => l.trim().length > 0) ?? '';
  } else {
    const lines = text.split('\n').filter((l) => l.trim().length > 0);
    span = lines[lines.length - 1] ?? '';
  }
  return span.replace(/\*\*/g, '').trim().replace(/^["'“”‘’「」]+|["'“”‘’「」]+$/g, '').replace(/[.。!！;；,，]+$/, '').trim();
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
