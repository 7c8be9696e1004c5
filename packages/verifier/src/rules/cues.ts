/**
 * The shared cue rules of the rule verifiers: the one place that says which words state an answer ("Answer:",
 * "the answer is", 答案, 正确选项是 …), which words correct an earlier answer ("Actually", 更正), which words join
 * alternatives into a hedge ("or", 或, a range "400–600"), and which words rule a candidate out ("not", "ruled
 * out", 排除). Every verifier builds its regular expressions from these sources (adding only its own
 * domain cues, such as "the dose is" for numbers), so the policy of {@link ./answer-policy} is applied the same
 * way everywhere.
 *
 * Every source is a regular-expression fragment without capturing groups, with bounded quantifiers only, so
 * the expressions built from them stay linear-time.
 *
 * @packageDocumentation
 */

/** JSON keys whose value is the answer (`{"answer": …}`, `{"final_answer": …}`, `{"答案": …}`). */
export const JSON_ANSWER_KEYS = [
  'answer', 'answers', 'final_answer', 'finalAnswer', 'final answer', 'correct_answer', 'answer_letter', '答案', '最终答案', '正确答案',
] as const;

/** `"answer":` (any key of {@link JSON_ANSWER_KEYS}, quoted with `"` or `'`). */
export const JSON_ANSWER_KEY_CUE = `["'](?:${JSON_ANSWER_KEYS.map((k) => k.replace(/ /g, '\\s')).join('|')})["']\\s*:`;

/**
 * English answer cues: "final answer", "answer:", "the answer is/are/would be", "answer -", "the correct
 * (best, right) option/choice/response is", "the correct/right/best answer is" (covered by "answer is").
 */
export const EN_ANSWER_CUE =
  String.raw`\bfinal\s+answer\b|\banswers?\b\s*(?:(?:is|are|would\s+be|should\s+be|will\s+be)\b|=|:|-|–|—)|\b(?:correct|right|best)\s+(?:option|choice|response)s?\b\s*(?:(?:is|are|would\s+be|should\s+be)\b|:)`;

/** Chinese answer cues: 答案 (正确答案, 最终答案, 参考答案), 正确选项, 最佳选项, 正确的选项, 结论. */
export const ZH_ANSWER_CUE = String.raw`(?:正确|最终|参考)?答案|(?:正确|最佳|最终)的?选项|结论`;

/**
 * Correction cues: a value stated right after one of these replaces the earlier answer ("Final answer: B.
 * Actually A." → A). The value must end its clause (punctuation, line end or end of text), so "Actually, a
 * lot of …" is not a correction to option A.
 */
export const CORRECTION_CUE =
  String.raw`\bactually\b|\bcorrection\b|\bon\s+second\s+thought\b|\bscratch\s+that\b|\bi\s+mean\b|\bwait\b|更正(?:为)?|修正(?:为)?|改为|改选|其实是|其实应?为`;

/** Words joining alternatives into a hedge: "or", "either", "versus", 或/或者/还是. ("/" is a hedge between values too.) */
export const HEDGE_WORD = String.raw`\bor\b|\beither\b|\bversus\b|\bvs\b\.?|或者?|还是`;

/** Range separators between two numbers: "400–600", "400-600", "400 to 600", "400~600", 400至600, 400到600. */
export const RANGE_SEP = String.raw`[-–—~～]|\bto\b|至|到`;

/**
 * Negation before a candidate: "not", "no", "never", "isn't", "rule(d) out", "excluding", "except", 不是,
 * 并非, 非, 排除, 除外, 不选, 不考虑.
 */
export const NEGATION_BEFORE =
  String.raw`\bnot\b|\bno\b|\bnever\b|n't\b|\brule[sd]?\s+out\b|\bruled\s+out\b|\bexclud(?:e|ed|ing)\b|\bexcept\b|不是|并非|非|排除|除外|不选|不考虑`;

/**
 * Negation after a candidate: "(was/is/has been) ruled out", "excluded", "is incorrect/wrong", "is not correct
 * (the answer, indicated, needed)", "is unlikely", 已排除, 被排除, 不正确, 错误, 不对, 除外, 不需要, 无需, 不必.
 */
export const NEGATION_AFTER =
  String.raw`(?:(?:is|are|was|were|has\s+been|have\s+been|can\s+be|been)\s+)?(?:ruled\s+out|excluded|incorrect|wrong|unlikely|unnecessary|not\s+(?:correct|right|the\s+answer|indicated|needed|necessary|required|recommended|it))\b|(?:已|可)?被?排除|不正确|错误|不对|除外|不需要|无需|不必`;

/** Contrast after a negated candidate: "not C; it is B", "not C, but B", "不是C，而是B". */
export const CONTRAST_CUE =
  String.raw`[ \t]*[;,.。；，—–-]?[ \t]*(?:(?:but|rather|instead)\b[ \t,]*(?:(?:it|that|the\s+answer)\s+(?:is|'s)\b|it's\b)?|(?:it|that|the\s+answer)\s+(?:is|'s)\b|it's\b|而是|应为|应该是|应是)`;

/** Builds a global, case-insensitive expression from alternatives (each a fragment above or a verifier's own). */
export function cueRegExp(...alternatives: string[]): RegExp {
  return new RegExp(alternatives.map((a) => `(?:${a})`).join('|'), 'gi');
}

/** Builds a sticky, case-insensitive expression (matched at one position) from alternatives. */
export function stickyRegExp(...alternatives: string[]): RegExp {
  return new RegExp(alternatives.map((a) => `(?:${a})`).join('|'), 'iy');
}
