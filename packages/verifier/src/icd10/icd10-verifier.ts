/**
 * The ICD-10 verifier: extracts codes from a completion (English or Chinese text, "E11.9 (type 2
 * diabetes...)", full-width characters), validates them against the code list and scores them against
 * the reference codes with hierarchical credit and set-level F1.
 *
 * The answer policy of the rule verifiers (`rules/answer-policy.ts`) applies: codes inside quoted passages or
 * text copied from the prompt are not predictions; a ruled-out code ("not E11.9", "E11.9 was ruled out",
 * "排除E11.9", "E11.9已排除") is not a prediction; a correction ("Final answer: E11.9. Actually I10.") starts
 * the answer anew; codes joined as **alternatives** ("I10 or E11.9", "I10/E11.9", I10或E11.9) are a hedge and
 * earn nothing (reward 0, `incorrect`), while a set of codes joined by "and", "," or "、" is scored as a set; a code
 * followed by a question mark ("I10? I11?", as in a copied question) is asked, not predicted.
 *
 * @packageDocumentation
 */
import { VerifierError } from '../error';
import { VerifierArgumentError } from '../argument-error';
import type { VerificationResult, Verifier } from '../types';
import { normalizeIcd10Code, toHalfWidth } from './normalize';
import { getIcd10CodeList, type Icd10CodeList, type Icd10System } from './code-list';
import { resolveIcd10Weights, setScore, type Icd10CreditWeights } from './hierarchy';
import { excludedRanges, isAlternative, isNegated, isQuestioned, type PromptContext } from '../rules/answer-policy';
import { CORRECTION_CUE, cueRegExp } from '../rules/cues';
import { inRanges } from '../rules/text';

/** A code found in text. */
export interface ExtractedIcd10Code {
  /** As written. */
  raw: string;
  /** Canonical, no dot: "E119". */
  code: string;
  /** Canonical with dot: "E11.9". */
  dotted: string;
  /** Offset of `raw` in the (NFKC-normalised) text. */
  index: number;
  /** Ruled out ("not E11.9", "E11.9 was ruled out", "排除E11.9"): not a prediction. */
  negated?: boolean;
  /** One alternative of a hedge ("I10 or E11.9"). */
  alternative?: boolean;
  /** Followed by a question mark ("I10? I11?"): asked, not a prediction. */
  questioned?: boolean;
}

/** Options of {@link extractIcd10Codes}. */
export interface ExtractIcd10Options {
  /**
   * `'answer'` (default): only the text after the last answer marker ("Answer:", "Final diagnosis:",
   * "ICD-10 code:", "答案：", "诊断：", "编码：") when that part holds a code, else the whole text.
   * `'all'`: the whole text. `<think>...</think>` blocks are always skipped.
   */
  scope?: 'answer' | 'all';
  /** The prompt: codes in lines copied from it are ignored. */
  prompt?: string;
}

const CORRECTION_RE = cueRegExp(CORRECTION_CUE);

// letter, digit, digit/letter, then optionally a dot (ASCII, full-width, Chinese, middle dot) and 1-4 characters.
const CODE_RE = /(?<![A-Za-z0-9])([A-Za-z][0-9][0-9A-Za-z])(?:\s?[.。．·・‧]\s?([0-9A-Za-z]{1,4}))?(?![A-Za-z0-9])/g;
// a single \s* run before the colon (two adjacent ones around an optional word backtrack quadratically)
const MARKER_RE =
  /(?:final\s+(?:answer|diagnos[ie]s)|answer|diagnos[ie]s|icd-?10(?:-?cm)?(?:\s+codes?)?|codes?|最终答案|正确答案|答案|诊断|编码|代码)\s*(?:(?:is|are|为|是)\s*)?[:：]/gi;
const THINK_RE = /<think>[\s\S]*?(?:<\/think>|$)/gi;
/**
 * An explicit code cue ("code", "ICD-10-CM code is", "Answer:", "编码为", "诊断：", ...) and the words or
 * punctuation that may follow it before the code. Only right after such a cue are the looser forms of
 * {@link CUED_CODE_RE} accepted.
 */
const CUE_RE =
  /(?<![A-Za-z])(?:icd[-\s]?10(?:[-\s]?cm)?(?:\s+(?:diagnosis\s+)?codes?)?|icd(?:\s+codes?)?|(?:diagnosis\s+)?codes?|(?:final\s+)?answer|(?:final\s+)?diagnos[ie]s\s*[:：]|最终答案|正确答案|答案|诊断|编码|代码)(?![A-Za-z])(?:\s*(?:(?:is|are|was)(?![A-Za-z])|[:：=]|为|是))*\s*/gi;
/**
 * A code right after a cue: also without dot and in lower case ("e119"), or with one space after an
 * upper-case letter ("E 11.9", "E 119"). Sticky: matched at the cue's end only.
 */
const CUED_CODE_RE = /([A-Za-z])( ?)([0-9][0-9A-Za-z])(?:\s?[.。．·・‧]\s?([0-9A-Za-z]{1,4})|([0-9A-Za-z]{1,4}))?(?![A-Za-z0-9])/y;
/** What may separate the codes of a list after one cue ("codes: e119, i10 and e785"). */
const LIST_SEP_RE = /\s*(?:[,，、;；+&/]|and(?![A-Za-z]))\s*/y;

/** Codes in `text` (offsets into `text`): every strictly shaped code, and looser forms right after a cue. */
function scan(text: string): ExtractedIcd10Code[] {
  const found: ExtractedIcd10Code[] = [];
  CODE_RE.lastIndex = 0;
  for (let m = CODE_RE.exec(text); m; m = CODE_RE.exec(text)) {
    const n = normalizeIcd10Code(m[1]! + (m[2] ?? ''));
    if (n) found.push({ raw: m[0], code: n.code, dotted: n.dotted, index: m.index });
  }
  CUE_RE.lastIndex = 0;
  for (let cue = CUE_RE.exec(text); cue; cue = CUE_RE.exec(text)) {
    if (cue[0].length === 0) {
      CUE_RE.lastIndex++;
      continue;
    }
    let pos = cue.index + cue[0].length;
    for (;;) {
      CUED_CODE_RE.lastIndex = pos;
      const m = CUED_CODE_RE.exec(text);
      if (!m) break;
      const [, letter, space, rest, dotPart, tail] = m;
      // a spaced form needs an upper-case letter ("Answer: a 12.5 cm mass" is prose)
      if (space && letter !== letter!.toUpperCase()) break;
      const n = normalizeIcd10Code(letter! + rest! + (dotPart ?? tail ?? ''));
      if (!n) break;
      found.push({ raw: m[0], code: n.code, dotted: n.dotted, index: m.index });
      pos = m.index + m[0].length;
      LIST_SEP_RE.lastIndex = pos;
      const sep = LIST_SEP_RE.exec(text);
      if (!sep || sep[0].length === 0) break;
      pos += sep[0].length;
    }
    CUE_RE.lastIndex = Math.max(CUE_RE.lastIndex, pos);
  }
  // in text order; where a strict and a cued match overlap, keep the one starting first (then the longer)
  found.sort((a, b) => a.index - b.index || b.raw.length - a.raw.length);
  const out: ExtractedIcd10Code[] = [];
  let end = -1;
  for (const f of found) {
    if (f.index < end) continue;
    out.push(f);
    end = f.index + f.raw.length;
  }
  return out;
}

/**
 * All code-shaped strings in a text, in order (not validated; duplicates kept). Anywhere in the text a code
 * is a letter, a digit and a digit or letter, optionally followed by a dot and 1-4 characters, in either case
 * ("E11", "e11.9", "T36.0X1A"). Right after an explicit code cue ("code", "ICD-10-CM code is", "Answer:",
 * "编码为", "诊断：", "答案："), and for a list of codes following it, looser forms are accepted too: no dot
 * ("e119", "E1165") and one space after an upper-case letter ("E 11.9"). Shape only: validation against a
 * code list removes false positives such as "B12" in "vitamin B12".
 *
 * @param text - the completion
 * @param options - see {@link ExtractIcd10Options}
 */
export function extractIcd10Codes(text: string, options: ExtractIcd10Options = {}): ExtractedIcd10Code[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const t = toHalfWidth(text).replace(THINK_RE, (s) => ' '.repeat(s.length));
  const excluded = excludedRanges(t, options.prompt === undefined ? {} : { prompt: options.prompt });
  const all = scan(t).filter((c) => !inRanges(excluded, c.index));
  for (const c of all) {
    if (isNegated(t, c.index, c.index + c.raw.length)) c.negated = true;
    if (isAlternative(t, c.index, c.index + c.raw.length)) c.alternative = true;
    if (isQuestioned(t, c.index + c.raw.length)) c.questioned = true;
  }
  if ((options.scope ?? 'answer') === 'answer') {
    let last = -1;
    MARKER_RE.lastIndex = 0;
    for (let m = MARKER_RE.exec(t); m; m = MARKER_RE.exec(t)) if (!inRanges(excluded, m.index)) last = m.index + m[0].length;
    CORRECTION_RE.lastIndex = 0;
    for (let m = CORRECTION_RE.exec(t); m; m = CORRECTION_RE.exec(t)) if (!inRanges(excluded, m.index)) last = Math.max(last, m.index + m[0].length);
    if (last >= 0) {
      const tail = all.filter((c) => c.index >= last);
      if (tail.length > 0) return tail;
    }
  }
  return all;
}

/** The reference of {@link Icd10Verifier}: one code, several codes, or an object. */
export type Icd10Reference = string | readonly string[] | { codes: readonly string[] };

/** Thrown when a reference is not a valid code or list of codes (names the argument). */
export class Icd10ReferenceError extends VerifierError {
  constructor(message: string) {
    super(message);
    this.name = 'Icd10ReferenceError';
  }
}

/** Options of {@link Icd10Verifier}. */
export interface Icd10VerifierOptions {
  /** Which system codes are validated in (default `'either'`). */
  system?: Icd10System;
  /** Credit per hierarchy level (default {@link DEFAULT_ICD10_WEIGHTS}). */
  weights?: Partial<Icd10CreditWeights>;
  /** Extraction scope (default `'answer'`). */
  scope?: 'answer' | 'all';
  /** Count code-shaped strings that are not valid codes as wrong predictions (default false: ignore them). */
  penalizeInvalid?: boolean;
  /** The code list (default the shipped one). */
  codeList?: Icd10CodeList;
}

/**
 * Scores ICD-10 / ICD-10-CM codes in a completion against reference codes. `reward` is the soft F1
 * (hierarchical credit per matched pair; see {@link setScore}); `verdict` is `correct` at reward 1,
 * `partial` above 0, `incorrect` at 0, `unparseable` when the completion has no code-shaped string and
 * `invalid` when it has some but none is a valid code.
 */
export class Icd10Verifier implements Verifier<Icd10Reference> {
  readonly name = 'icd10';
  private readonly system: Icd10System;
  private readonly weights: Icd10CreditWeights;
  private readonly scope: 'answer' | 'all';
  private readonly penalizeInvalid: boolean;
  private readonly list?: Icd10CodeList;

  /**
   * @throws {@link Icd10HierarchyError} for weights outside [0, 1]; {@link VerifierArgumentError} naming
   *   `options.system`, `options.scope` or `options.penalizeInvalid` when not one of the documented values
   */
  constructor(options: Icd10VerifierOptions = {}) {
    this.system = options.system ?? 'either';
    if (!['icd10cm', 'icd10', 'either'].includes(this.system)) {
      throw new VerifierArgumentError('options.system', `must be 'icd10cm', 'icd10' or 'either', got ${JSON.stringify(this.system)}`);
    }
    this.weights = resolveIcd10Weights(options.weights);
    this.scope = options.scope ?? 'answer';
    if (this.scope !== 'answer' && this.scope !== 'all') throw new VerifierArgumentError('options.scope', `must be 'answer' or 'all', got ${JSON.stringify(this.scope)}`);
    this.penalizeInvalid = options.penalizeInvalid ?? false;
    if (typeof this.penalizeInvalid !== 'boolean') throw new VerifierArgumentError('options.penalizeInvalid', `must be a boolean, got ${JSON.stringify(this.penalizeInvalid)}`);
    if (options.codeList) this.list = options.codeList;
  }

  private get codeList(): Icd10CodeList {
    return this.list ?? getIcd10CodeList();
  }

  /**
   * @param completion - the model's output
   * @param reference - the gold code(s)
   * @param context - the prompt, whose copied lines hold no prediction
   * @throws {@link Icd10ReferenceError} when a reference code is malformed or not in the code list
   */
  verify(completion: string, reference: Icd10Reference, context: PromptContext = {}): VerificationResult {
    const list = this.codeList;
    const refRaw: readonly string[] =
      typeof reference === 'string' ? [reference] : Array.isArray(reference) ? (reference as readonly string[]) : ((reference as { codes?: readonly string[] })?.codes ?? []);
    if (!Array.isArray(refRaw) && typeof reference !== 'string') {
      throw new Icd10ReferenceError(`reference must be a code, an array of codes or { codes }, got ${JSON.stringify(reference)}`);
    }
    if (refRaw.length === 0) throw new Icd10ReferenceError('reference: expected at least one code, got none');
    const refs = refRaw.map((r, i) => {
      const n = normalizeIcd10Code(r);
      if (!n || !list.has(n.code, this.system)) {
        throw new Icd10ReferenceError(`reference[${i}]: ${JSON.stringify(r)} is not a valid ${this.system} code`);
      }
      return n.dotted;
    });
    const found = extractIcd10Codes(typeof completion === 'string' ? completion : '', {
      scope: this.scope,
      ...(typeof context.prompt === 'string' ? { prompt: context.prompt } : {}),
    });
    const extracted = found.filter((e) => !e.negated && !e.questioned);
    const ruledOut = found.filter((e) => e.negated).map((e) => e.dotted);
    const asked = found.filter((e) => e.questioned && !e.negated).map((e) => e.dotted);
    if (extracted.length === 0) {
      const evidence = ruledOut.length
        ? `every code found is ruled out (${ruledOut.join(', ')})`
        : asked.length
          ? `every code found is asked, not stated (${asked.join('? ')}?)`
          : 'no ICD-10 code found in the completion';
      // every code ruled out: nothing is predicted, and no model component may read a prediction into it
      const details: Record<string, unknown> = { reference: refs, ruledOut };
      if (ruledOut.length > 0) details.negated = true;
      if (asked.length > 0) Object.assign(details, { questioned: true, asked });
      return { reward: 0, verdict: 'unparseable', evidence, source: 'rule', details };
    }
    const alternatives = extracted.filter((e) => e.alternative);
    if (alternatives.length > 0) {
      return {
        reward: 0,
        verdict: 'incorrect',
        evidence: `hedged between codes (${alternatives.map((e) => e.dotted).join(' or ')}); a hedge earns nothing`,
        source: 'rule',
        details: { extracted: extracted.map((e) => e.dotted), reference: refs, hedge: true, ruledOut },
      };
    }
    const seen = new Set<string>();
    const valid: string[] = [];
    const invalid: string[] = [];
    for (const e of extracted) {
      if (seen.has(e.code)) continue;
      seen.add(e.code);
      (list.has(e.code, this.system) ? valid : invalid).push(e.dotted);
    }
    if (valid.length === 0) {
      return {
        reward: 0,
        verdict: 'invalid',
        evidence: `no valid ${this.system} code; found ${invalid.join(', ')}`,
        source: 'rule',
        details: { extracted: extracted.map((e) => e.dotted), invalid, reference: refs },
      };
    }
    const predicted = this.penalizeInvalid ? [...valid, ...invalid] : valid;
    const s = setScore(predicted, refs, { weights: this.weights, codeList: list });
    const reward = s.f1;
    const verdict = reward >= 1 - 1e-12 ? 'correct' : reward > 0 ? 'partial' : 'incorrect';
    const matched = s.matches.map((m) => `${m.predicted}→${m.reference} (${m.level}, ${m.credit})`).join('; ');
    return {
      reward,
      verdict,
      evidence: `predicted ${predicted.join(', ')} vs reference ${refs.join(', ')}: ${matched || 'no match'}; P=${s.precision.toFixed(3)} R=${s.recall.toFixed(3)} F1=${s.f1.toFixed(3)}`,
      source: 'rule',
      details: {
        extracted: extracted.map((e) => e.dotted),
        predicted,
        invalid,
        reference: refs,
        precision: s.precision,
        recall: s.recall,
        f1: s.f1,
        matches: s.matches,
        unmatchedPredicted: s.unmatchedPredicted,
        unmatchedReference: s.unmatchedReference,
      },
    };
  }
}
