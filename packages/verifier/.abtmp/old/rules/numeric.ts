/**
 * Numeric answers with tolerance and units.
 *
 * The stated value is the **last** answer statement (reasoning removed, quoted passages ignored): a JSON
 * `"answer"` value (with an optional sibling `"unit"`), `\boxed{}`, `<answer>` tag, or a cue ("Answer:", "the
 * answer is", "final answer", "≈", "=" at the end of a line, 答案, 结果为) followed by a number; else a whole
 * answer part that is a number; else (only with `lastNumberFallback`) the last number of the text.
 *
 * Numbers: signs (also `−`), thousands separators (`1,250` — groups of three digits), decimals, scientific
 * notation (`1.2e-3`, `1.2 × 10^3`, `1.2x10^-3`, `1.2×10⁻³`), full-width digits.
 *
 * Units (case as written, `µ`/`μ`/`u` alike): mass kg, g, mg, mcg/µg, ng, lb; volume L, dL, mL, µL, cc; mass
 * concentration g/L, mg/L, mg/dL, g/dL, mg/mL, µg/mL, ng/mL, µg/L, µg/dL; molar concentration mol/L, mmol/L,
 * µmol/L, nmol/L, mEq/L (as mmol/L for monovalent ions: only compared with mEq/L); and `%`. Units of one
 * dimension convert. Mass and molar concentrations convert **only** when `molarMass` (g/mol) is given (glucose:
 * {@link GLUCOSE_MOLAR_MASS}, so 5.5 mmol/L ≈ 99 mg/dL). A stated value without a unit is taken in the
 * reference unit; an unknown unit must equal the reference unit as written (case-insensitive).
 *
 * Tolerance: correct when |stated − gold| ≤ max(abs, rel·|gold|) in the reference unit (default abs 0,
 * rel 1e-6).
 *
 * @packageDocumentation
 */
import type { VerificationResult, Verifier } from '../types';
import { answerText, clip, inRanges, quotedRanges } from './text';

/** Molar mass of glucose, g/mol (mg/dL = mmol/L × 18.0156). */
export const GLUCOSE_MOLAR_MASS = 180.156;

type Dim = 'mass' | 'volume' | 'massConc' | 'molarConc' | 'eq' | 'percent';
const U: Record<string, [Dim, number]> = {
  kg: ['mass', 1000], g: ['mass', 1], mg: ['mass', 1e-3], mcg: ['mass', 1e-6], 'µg': ['mass', 1e-6], ug: ['mass', 1e-6],
  ng: ['mass', 1e-9], lb: ['mass', 453.59237], lbs: ['mass', 453.59237],
  l: ['volume', 1], dl: ['volume', 0.1], ml: ['volume', 1e-3], 'µl': ['volume', 1e-6], ul: ['volume', 1e-6], cc: ['volume', 1e-3],
  'g/l': ['massConc', 1], 'mg/l': ['massConc', 1e-3], 'mg/dl': ['massConc', 1e-2], 'g/dl': ['massConc', 10], 'mg/ml': ['massConc', 1],
  'µg/ml': ['massConc', 1e-3], 'ug/ml': ['massConc', 1e-3], 'mcg/ml': ['massConc', 1e-3], 'ng/ml': ['massConc', 1e-6],
  'µg/l': ['massConc', 1e-6], 'ug/l': ['massConc', 1e-6], 'µg/dl': ['massConc', 1e-5], 'ug/dl': ['massConc', 1e-5], 'mcg/dl': ['massConc', 1e-5],
  'mol/l': ['molarConc', 1], 'mmol/l': ['molarConc', 1e-3], 'µmol/l': ['molarConc', 1e-6], 'umol/l': ['molarConc', 1e-6],
  'nmol/l': ['molarConc', 1e-9], 'meq/l': ['eq', 1e-3],
  gram: ['mass', 1], grams: ['mass', 1], milligram: ['mass', 1e-3], milligrams: ['mass', 1e-3], microgram: ['mass', 1e-6],
  micrograms: ['mass', 1e-6], kilogram: ['mass', 1000], kilograms: ['mass', 1000], pound: ['mass', 453.59237],
  pounds: ['mass', 453.59237], liter: ['volume', 1], liters: ['volume', 1], litre: ['volume', 1], litres: ['volume', 1],
  milliliter: ['volume', 1e-3], milliliters: ['volume', 1e-3], millilitre: ['volume', 1e-3], millilitres: ['volume', 1e-3],
  '%': ['percent', 1],
};
const UNIT_KEYS = Object.keys(U).sort((a, b) => b.length - a.length);
const UNIT_RE = new RegExp(
  `[ \\t]?(${UNIT_KEYS.map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace('µ', '[µμu]')).join('|')})(?![A-Za-z])`,
  'iy',
);

/** Canonical unit key: lower case, `μ`→`µ`, `mcg`→`µg` kept distinct only for lookup. */
function unitKey(u: string): string {
  return u.trim().toLowerCase().replace(/μ/g, 'µ').replace(/\s+/g, '');
}

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
  UNIT_RE.lastIndex = end;
  const u = UNIT_RE.exec(text);
  if (u) {
    unit = u[1]!;
    end += u[0].length;
  }
  return { value, unit, end };
}

const CUE_RE =
  /(["'](?:answer|final_answer|value|result|答案)["']\s*:)|(\\boxed\s*\{)|\bfinal\s+answer\b|\banswer\b\s*(?:is\b|would\s+be\b|:|=|-)|\b(?:result|dose|total|value)\s+(?:is|would\s+be|=|:)|(?:最终)?答案|结果[为是]?|≈|=/gi;
const SKIP_RE = /(?:[\s:=\-–—*`"'$]+|\\text\s*\{|(?:is|the|answer|about|approximately|approx\.?|around|roughly|final|would\s+be)\b|约为|约|为|是|：)/iy;

/** Finds the stated quantity of a completion, or null with a reason. */
export function extractQuantity(completion: string, lastNumberFallback = false): Quantity | { reason: string } {
  if (typeof completion !== 'string') return { reason: 'the completion is not a string' };
  const text = answerText(completion).replace(/\*\*|__/g, '');
  if (text.trim().length === 0) return { reason: 'no answer outside the reasoning' };
  const quotes = quotedRanges(text);
  // Strong cues (JSON, boxed, answer tag, "answer", 答案) win over weak ones ("=", "≈", "the dose is").
  const strong: Array<[number, number]> = [];
  const weak: Array<[number, number]> = [];
  CUE_RE.lastIndex = 0;
  for (let m = CUE_RE.exec(text); m; m = CUE_RE.exec(text)) {
    const isWeak = m[0] === '=' || m[0] === '≈' || /^(?:result|dose|total|value)\s/i.test(m[0]);
    (isWeak ? weak : strong).push([m.index, m.index + m[0].length]);
  }
  const tag = text.lastIndexOf('<answer>');
  if (tag >= 0) strong.push([tag, tag + 8]);
  strong.sort((a, b) => a[0] - b[0]);
  for (const cands of [strong, weak]) {
    for (let k = cands.length - 1; k >= 0; k--) {
      const [cue, end] = cands[k]!;
      if (inRanges(quotes, cue)) continue;
      let i = end;
      for (let g = 0; g < 8 && i - end < 60; g++) {
        SKIP_RE.lastIndex = i;
        const m = SKIP_RE.exec(text);
        if (!m || m[0].length === 0) break;
        i += m[0].length;
      }
      const q = parseQuantityAt(text, i);
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
    const start = text.indexOf(t[0]!);
    const q = parseQuantityAt(text, start);
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
        if (q && !inRanges(quotes, s)) {
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
}

/**
 * Converts `value` from unit `from` to unit `to`; null when they are not convertible.
 *
 * @param molarMass - g/mol, allows mass ↔ molar concentration.
 */
export function convertUnit(value: number, from: string, to: string, molarMass?: number): number | null {
  const f = unitKey(from);
  const t = unitKey(to);
  if (f === t) return value;
  const a = U[f];
  const b = U[t];
  if (!a || !b) return null;
  if (a[0] === b[0]) return (value * a[1]) / b[1];
  if (molarMass !== undefined && molarMass > 0) {
    if (a[0] === 'molarConc' && b[0] === 'massConc') return (value * a[1] * molarMass) / b[1];
    if (a[0] === 'massConc' && b[0] === 'molarConc') return (value * a[1]) / molarMass / b[1];
  }
  return null;
}

/**
 * Verifies a numeric completion against a value with tolerance and units.
 *
 * @throws RangeError naming `value` when the gold is not a finite number, or `tolerance` when negative.
 */
export function verifyNumeric(completion: string, ref: NumericReference): VerificationResult {
  let goldValue: number;
  let goldUnit = ref.unit ?? '';
  if (typeof ref.value === 'number') goldValue = ref.value;
  else {
    const q = parseQuantityAt(String(ref.value).trim(), 0);
    if (!q) throw new RangeError(`value: expected a number like 5.5 or '5.5 mmol/L', got ${JSON.stringify(ref.value)}`);
    goldValue = q.value;
    if (!ref.unit) goldUnit = q.unit;
  }
  if (!Number.isFinite(goldValue)) throw new RangeError(`value: expected a finite number, got ${goldValue}`);
  const abs = ref.tolerance?.abs ?? 0;
  const rel = ref.tolerance?.rel ?? 1e-6;
  if (!(abs >= 0) || !(rel >= 0)) throw new RangeError(`tolerance: abs and rel must be ≥ 0, got abs ${abs}, rel ${rel}`);
  const got = extractQuantity(completion, ref.lastNumberFallback ?? false);
  const gold = `${goldValue}${goldUnit ? ' ' + goldUnit : ''}`;
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

/** A {@link Verifier} for numeric answers. */
export const numericVerifier: Verifier<NumericReference> = { name: 'numeric', verify: verifyNumeric };
