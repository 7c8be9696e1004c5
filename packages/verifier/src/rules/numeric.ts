/**
 * Numeric answers with tolerance and units.
 *
 * The stated value is the **last** answer statement (reasoning removed, quoted passages ignored): a JSON
 * `"answer"` value (with an optional sibling `"unit"`), `\boxed{}`, `<answer>` tag, or a cue ("Answer:", "the
 * answer is", "final answer", 答案, 结果为) followed by a number; else the last weak cue ("=", "≈", "the dose is",
 * 剂量为, 用量为, 浓度为, …为/是/约为/等于 after a quantity noun, 约为, 应为, 等于, 即为) followed by a number; else a whole
 * answer part that is a number (optionally hedged: "About 67 mL/min"); else (only with `lastNumberFallback`) the
 * last number of the text.
 *
 * Numbers: signs (also `−`), thousands separators (`1,250` — groups of three digits), decimals, scientific
 * notation (`1.2e-3`, `1.2 × 10^3`, `1.2x10^-3`, `1.2×10⁻³`), full-width digits.
 *
 * Units: simple and compound units parsed by {@link parseUnitAt} (see `units.ts`: mass, volume, length, time,
 * amount, equivalents, international units, pressure, energy, counts; `kg/m²`, `mL/h`, `mL/min`, `units/mL`,
 * `mg/kg/day`, `cells/µL`, `mmHg`, `bpm`, …), longest match first. Units of the same dimensions convert
 * (`mL/h` ↔ `L/day`, `mg/dL` ↔ `g/L`); mass and molar quantities convert **only** when `molarMass` (g/mol) is
 * given (glucose: {@link GLUCOSE_MOLAR_MASS}, so 5.5 mmol/L ≈ 99 mg/dL); mEq/L only with equivalents. A stated
 * value without a unit is taken in the reference unit; a stated unit with a unitless reference must be `%`; an
 * unknown unit must equal the reference unit as written (case-insensitive).
 *
 * The answer policy (`answer-policy.ts`) applies: the strong cues are the shared ones (`cues.ts`); cues in quoted
 * passages or in text copied from the prompt (`prompt`) are ignored; a correction ("Answer: 5 mg. Actually 10
 * mg.") replaces the earlier value; a **hedge** states no single value and earns nothing (`unparseable`, reward 0,
 * `details.hedge`): a range ("400–600 mg",
 * "400 to 600 mg", 400至600 mg), alternatives ("100 mg or 500 mg", 100或500 mg) or a list of values of the same
 * unit ("100 mg, 200 mg, 500 mg"); a ruled-out value ("the dose is not 500 mg", "500 mg is incorrect") is not a
 * statement, and a contrast after it states the value ("not 500 mg; it is 250 mg"); a value followed by a
 * question mark ("Answer: 250 mg?") is asked, not stated.
 *
 * Tolerance: correct when |stated − gold| ≤ max(abs, rel·|gold|) in the reference unit (default abs 0,
 * rel 1e-6).
 *
 * @packageDocumentation
 */
import type { VerificationResult, Verifier } from '../types';
import { contrastAt, excludedRanges, isNegatedAfter, isQuestioned, withPrompt } from './answer-policy';
import { CORRECTION_CUE, EN_ANSWER_CUE, HEDGE_WORD, JSON_ANSWER_KEY_CUE, NEGATION_BEFORE, RANGE_SEP, stickyRegExp, ZH_ANSWER_CUE } from './cues';
import { answerText, clip, inRanges } from './text';
import { convertUnit, parseUnitAt, unitKey } from './units';
import { expectObject, VerifierArgumentError } from '../argument-error';

export { convertUnit, parseUnit, parseUnitAt, type ParsedUnit, type Dims } from './units';

/** Molar mass of glucose, g/mol (mg/dL = mmol/L × 18.0156). */
export const GLUCOSE_MOLAR_MASS = 180.156;

const NUM_RE =
  /([-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+−]?\.\d+)(?:[eE]([-+−]?\d{1,3})|[ \t]*[x×*][ \t]*10[ \t]*(?:\^|\*\*)[ \t]*\(?([-+−]?\d{1,3})\)?|[ \t]*[x×*][ \t]*10([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}))?/y;
const SUP = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** A parsed quantity. */
export interface Quantity {
  value: number;
  /** The unit as written (empty when none). */
  unit: string;
  /** Offset in the answer text. */
  index: number;
}

/** Parses a number (and an optional unit) at `p`; null if no number starts there. */
export function parseQuantityAt(text: string, p: number): { value: number; unit: string; end: number } | null {
  NUM_RE.lastIndex = p;
  const m = NUM_RE.exec(text);
  if (!m) return null;
  let value = Number(m[1]!.replace(/,/g, '').replace('−', '-'));
  let exp = 0;
  if (m[2]) exp = Number(m[2].replace('−', '-'));
  else if (m[3]) exp = Number(m[3].replace('−', '-'));
  else if (m[4]) {
    let s = 0;
    for (const ch of m[4]) if (SUP.includes(ch)) s = s * 10 + SUP.indexOf(ch);
    exp = m[4].startsWith('⁻') ? -s : s;
  }
  if (exp !== 0) value *= 10 ** exp;
  if (!Number.isFinite(value)) return null;
  let end = p + m[0].length;
  let unit = '';
  const sp = text[end] === ' ' || text[end] === '\t' || text[end] === '\u00a0' ? 1 : 0;
  const u = parseUnitAt(text, end + sp);
  if (u) {
    unit = u.text;
    end = u.end;
  }
  return { value, unit, end };
}

/**
 * Cues: group 1 JSON key, 2 boxed, 3 weak Chinese quantity cue, 4 correction; then the shared English and Chinese
 * answer cues (strong) and the weak "result is", "dose is", "≈", "=".
 */
const CUE_RE = new RegExp(
  `(${JSON_ANSWER_KEY_CUE}|["'](?:value|result)["']\\s*:)|(\\\\boxed\\s*\\{)|((?:剂量|用量|总量|日剂量|数值|速率|滴速|输注速度|速度|浓度|清除率|体重指数|计算值)\\s*(?:约为|应为|应是|为|是|约|等于|:)|约为|应为|等于|即为)` +
    `|(${CORRECTION_CUE})|${EN_ANSWER_CUE}|${ZH_ANSWER_CUE}|\\b(?:result|dose|total|value)\\s+(?:is|would\\s+be|=|:)|结果[为是]?|≈|=`,
  'gi',
);
/** After a stated number: another number as a range or alternative ("–600", " or 500", "至600") — always a hedge. */
const ALT_SEP_RE = stickyRegExp(`[ \\t]*(?:${RANGE_SEP}|${HEDGE_WORD})[ \\t]*`);
/** After a stated number: a list separator; a hedge when another number of the same unit follows. */
const LIST_SEP_RE = /[ \t]*(?:,|、|;|\band\b|和|与)[ \t]*/iy;
const NEG_BEFORE_RE = stickyRegExp(NEGATION_BEFORE);
const CLAUSE_END_RE = /[ \t]*(?:[.。!！,;；)\]]|\n|$)/y;
/** Marks and words between a cue and its number (a `-` directly before a digit is a sign, not a mark). */
const SKIP_RE =
  /(?:(?:[\s:=–—*`"'$]|-(?![\d.]))+|\\text\s*\{|(?:is|the|answer|about|approximately|approx\.?|around|roughly|final|would\s+be)\b|约为|应为|应是|等于|大约|约|为|是|：)/iy;

/** Whether the number ending at `end` (unit `unit`) is followed by another one as a range, alternative or list. */
function hedgedAfter(text: string, end: number, unit: string): boolean {
  ALT_SEP_RE.lastIndex = end;
  const a = ALT_SEP_RE.exec(text);
  if (a && parseQuantityAt(text, end + a[0].length)) return true;
  LIST_SEP_RE.lastIndex = end;
  const l = LIST_SEP_RE.exec(text);
  if (l) {
    const q = parseQuantityAt(text, end + l[0].length);
    if (q && (q.unit === unit || unit === '')) return true;
  }
  return false;
}

/** A hedge: the stated value is one of several (range, alternatives, list). */
export interface HedgedQuantity {
  reason: string;
  hedge: true;
  index: number;
}

/** Skips marks and filler words from `p` (see SKIP_RE); returns the new position. */
function skipNumericFillers(text: string, p: number): number {
  let i = p;
  for (let g = 0; g < 8 && i - p < 60; g++) {
    SKIP_RE.lastIndex = i;
    const m = SKIP_RE.exec(text);
    if (!m || m[0].length === 0) break;
    i += m[0].length;
  }
  return i;
}

/**
 * Finds the stated quantity of a completion (the answer policy applies: see the module documentation).
 *
 * @param completion - the model output.
 * @param lastNumberFallback - take the last number when no statement exists.
 * @param prompt - the prompt, whose copied lines are ignored.
 * @returns the quantity, a hedge, or a reason why nothing was stated.
 */
export function extractQuantity(completion: string, lastNumberFallback = false, prompt?: string): Quantity | HedgedQuantity | { reason: string } {
  if (typeof completion !== 'string') return { reason: 'the completion is not a string' };
  const text = answerText(completion).replace(/\*\*|__/g, '');
  if (text.trim().length === 0) return { reason: 'no answer outside the reasoning' };
  const quotes = excludedRanges(text, prompt === undefined ? {} : { prompt });
  // Strong cues (JSON, boxed, answer tag, "answer", 答案) win over weak ones ("=", "≈", "the dose is").
  const strong: Array<[number, number]> = [];
  const weak: Array<[number, number]> = [];
  const corrections = new Set<number>();
  CUE_RE.lastIndex = 0;
  for (let m = CUE_RE.exec(text); m; m = CUE_RE.exec(text)) {
    const isWeak = m[3] !== undefined || m[0] === '=' || m[0] === '≈' || /^(?:result|dose|total|value)\s/i.test(m[0]);
    if (m[4] !== undefined) corrections.add(m.index);
    (isWeak ? weak : strong).push([m.index, m.index + m[0].length]);
  }
  const tag = text.lastIndexOf('<answer>');
  if (tag >= 0) strong.push([tag, tag + 8]);
  strong.sort((a, b) => a[0] - b[0]);
  for (const cands of [strong, weak]) {
    for (let k = cands.length - 1; k >= 0; k--) {
      const [cue, end] = cands[k]!;
      if (inRanges(quotes, cue)) continue;
      let i = skipNumericFillers(text, end);
      NEG_BEFORE_RE.lastIndex = i;
      const neg = NEG_BEFORE_RE.exec(text);
      let q = neg ? null : parseQuantityAt(text, i);
      if (neg || (q && isNegatedAfter(text, q.end))) {
        // "the dose is not 500 mg; it is 250 mg": the contrasted value, else this cue states nothing
        const ruled = q ?? parseQuantityAt(text, skipNumericFillers(text, i + neg![0].length));
        const c = ruled ? contrastAt(text, ruled.end) : -1;
        q = c >= 0 ? parseQuantityAt(text, (i = skipNumericFillers(text, c))) : null;
        if (q && isNegatedAfter(text, q.end)) q = null;
      }
      // "Answer: 250 mg?" asks, it does not state (rule 6): earlier statements are considered
      if (q && isQuestioned(text, q.end)) q = null;
      if (q && corrections.has(cue)) {
        CLAUSE_END_RE.lastIndex = q.end;
        if (!CLAUSE_END_RE.test(text)) q = null;
      }
      if (q && hedgedAfter(text, q.end, q.unit)) return { reason: `a hedge: ${clip(text.slice(i), 40)}`, hedge: true, index: cue };
      if (q) {
        let unit = q.unit;
        if (!unit) {
          // JSON sibling "unit": "mg"
          const m = /["']unit["']\s*:\s*["']([^"'\n]{1,20})["']/.exec(text.slice(cue, cue + 300));
          if (m) unit = m[1]!;
        }
        return { value: q.value, unit, index: cue };
      }
    }
  }
  const cands = strong.length + weak.length;
  const t = text.trim();
  if (t.length <= 60) {
    // the whole answer is a quantity, possibly hedged ("About 67 mL/min", "≈ 5 mg")
    let start = text.indexOf(t[0]!);
    for (let g = 0; g < 4; g++) {
      SKIP_RE.lastIndex = start;
      const m = SKIP_RE.exec(text);
      if (!m || m[0].length === 0) break;
      start += m[0].length;
    }
    const q = parseQuantityAt(text, start);
    if (q && hedgedAfter(text, q.end, q.unit)) return { reason: `a hedge: ${clip(t, 40)}`, hedge: true, index: start };
    if (q && /^[\s.。]*$/.test(text.slice(q.end))) return { value: q.value, unit: q.unit, index: start };
  }
  if (lastNumberFallback) {
    let last: Quantity | null = null;
    for (let i = text.length - 1; i >= 0; i--) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        // walk back to the number's start
        let s = i;
        while (s > 0 && /[\d.,]/.test(text[s - 1]!)) s--;
        if (s > 0 && /[-−]/.test(text[s - 1]!)) s--;
        const q = parseQuantityAt(text, s);
        if (q && !inRanges(quotes, s) && isQuestioned(text, q.end)) return { reason: `the last number is asked, not stated: ${clip(text.slice(s, q.end + 1), 40)}` };
        if (q && !inRanges(quotes, s)) {
          // the last number of "400 to 600 mg" is one end of a range
          const before = text.slice(Math.max(0, s - 12), s);
          if (hedgedAfter(text, q.end, q.unit) || new RegExp(`(?:${RANGE_SEP}|${HEDGE_WORD})[ \\t]*$`, 'i').test(before)) {
            return { reason: `a hedge: ${clip(text.slice(Math.max(0, s - 20), q.end), 40)}`, hedge: true, index: s };
          }
          last = { value: q.value, unit: q.unit, index: s };
          break;
        }
        i = s;
      }
    }
    if (last) return last;
  }
  return { reason: cands ? 'no number after the answer cues' : 'no answer statement found' };
}

/** The reference of a numeric question. */
export interface NumericReference {
  /** Gold value (a number, or a string such as `'5.5 mmol/L'`). */
  value: number | string;
  /** Gold unit (overrides a unit inside `value`). */
  unit?: string;
  /** Tolerance in the gold unit: |stated − gold| ≤ max(abs, rel·|gold|). Default abs 0, rel 1e-6. */
  tolerance?: { abs?: number; rel?: number };
  /** g/mol: enables mass ↔ molar concentration conversion (e.g. {@link GLUCOSE_MOLAR_MASS}). */
  molarMass?: number;
  /** Take the last number of the text when no answer statement exists (default false). */
  lastNumberFallback?: boolean;
  /** The prompt: cues in lines copied from it are ignored. */
  prompt?: string;
}

/**
 * Verifies a numeric completion against a value with tolerance and units.
 *
 * @throws {@link VerifierArgumentError} naming the field: `value` when the gold is not a finite number, `tolerance`
 *   when negative, `unit` or `molarMass` when malformed.
 */
export function verifyNumeric(completion: string, ref: NumericReference): VerificationResult {
  expectObject(ref, 'ref', 'a numeric reference');
  if (typeof ref.value !== 'number' && typeof ref.value !== 'string') throw new VerifierArgumentError('value', `expected a number or a string like '5.5 mmol/L', got ${ref.value === null ? 'null' : typeof ref.value}`);
  if (ref.unit !== undefined && typeof ref.unit !== 'string') throw new VerifierArgumentError('unit', `expected a unit string like 'mg', got ${typeof ref.unit}`);
  if (ref.tolerance !== undefined) expectObject(ref.tolerance, 'tolerance', 'an { abs, rel }');
  if (ref.molarMass !== undefined && !(typeof ref.molarMass === 'number' && Number.isFinite(ref.molarMass) && ref.molarMass > 0)) {
    throw new VerifierArgumentError('molarMass', `expected a positive number of g/mol, got ${JSON.stringify(ref.molarMass)}`);
  }
  let goldValue: number;
  let goldUnit = ref.unit ?? '';
  if (typeof ref.value === 'number') goldValue = ref.value;
  else {
    const q = parseQuantityAt(String(ref.value).trim(), 0);
    if (!q) throw new VerifierArgumentError('value', `expected a number like 5.5 or '5.5 mmol/L', got ${JSON.stringify(ref.value)}`);
    goldValue = q.value;
    if (!ref.unit) goldUnit = q.unit;
  }
  if (!Number.isFinite(goldValue)) throw new VerifierArgumentError('value', `expected a finite number, got ${goldValue}`);
  const abs = ref.tolerance?.abs ?? 0;
  const rel = ref.tolerance?.rel ?? 1e-6;
  if (!(abs >= 0) || !(rel >= 0)) throw new VerifierArgumentError('tolerance', `abs and rel must be ≥ 0, got abs ${abs}, rel ${rel}`);
  const got = extractQuantity(completion, ref.lastNumberFallback ?? false, typeof ref.prompt === 'string' ? ref.prompt : undefined);
  const gold = `${goldValue}${goldUnit ? ' ' + goldUnit : ''}`;
  // A hedge states no single value: `unparseable` (as the completion suite labels "About 580-590."), reward 0.
  if ('hedge' in got) return { reward: 0, verdict: 'unparseable', evidence: `${got.reason}; a hedge earns nothing`, source: 'rule', details: { gold, hedge: true } };
  if ('reason' in got) return { reward: 0, verdict: 'unparseable', evidence: got.reason, source: 'rule', details: { gold } };
  const stated = `${got.value}${got.unit ? ' ' + got.unit : ''}`;
  let v: number | null = got.value;
  if (got.unit && goldUnit) v = convertUnit(got.value, got.unit, goldUnit, ref.molarMass);
  else if (got.unit && !goldUnit) v = unitKey(got.unit) === '%' ? got.value : null;
  if (v === null) {
    return {
      reward: 0,
      verdict: 'incorrect',
      evidence: `stated ${stated}: unit ${got.unit} is not convertible to ${goldUnit || 'a unitless value'}`,
      source: 'rule',
      details: { gold, stated, unitMismatch: true },
    };
  }
  const tol = Math.max(abs, rel * Math.abs(goldValue));
  const ok = Math.abs(v - goldValue) <= tol;
  return {
    reward: ok ? 1 : 0,
    verdict: ok ? 'correct' : 'incorrect',
    evidence: `stated ${stated} (= ${+v.toPrecision(10)}${goldUnit ? ' ' + goldUnit : ''}), gold ${gold} ± ${+tol.toPrecision(6)}`,
    source: 'rule',
    details: { gold, stated, converted: v, tolerance: tol, snippet: clip(answerText(completion).slice(got.index), 40) },
  };
}

/** A {@link Verifier} (the context's `prompt` fills the reference's, see `withPrompt`) for numeric answers. */
export const numericVerifier: Verifier<NumericReference> = {
  name: 'numeric',
  verify: (completion, ref, context) => verifyNumeric(completion, withPrompt(ref, context)),
};
