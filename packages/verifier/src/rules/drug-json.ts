/**
 * Drug extraction from JSON: entity-level precision, recall and F1 with synonym normalisation.
 *
 * The JSON is read from the answer part (reasoning removed) with {@link findJsonValues} (fenced or not, trailing
 * commas, single quotes, comments, missing closing braces). The value used is, in order of preference, the last
 * one holding a drug key (`drugs`, `medications`, `medicines`, `drug_list`, `药物`, `药品`, `用药`, or the
 * reference's `field`), else the last fenced value, else the last value. Drugs are read from that key's value (or
 * from the whole value): strings, or objects' `name` / `drug` / `drug_name` / `generic_name` / `medication` /
 * `名称` / `药名` field. Nested lists are flattened. Nothing else is read: an object without a drug or name key
 * (`{"contraindicated": "aspirin"}`) names no drug.
 *
 * The answer policy (`answer-policy.ts`) applies: keys that rule drugs out (`contraindicated`,
 * `contraindications`, `avoid`, `excluded`, `not_recommended`, `discontinue`, `禁用`, `禁忌`, `避免`, `停用`,
 * `慎用`) are never read; a ruled-out entry ("not aspirin", "avoid warfarin", "停用阿司匹林", "aspirin
 * (contraindicated)") is not a prediction; an entry naming alternatives ("aspirin or clopidogrel",
 * "aspirin/clopidogrel", 阿司匹林或氯吡格雷) is a **hedge**: it counts as one predicted entity that matches
 * nothing; JSON inside quoted passages or text copied from the prompt (`prompt`) is ignored.
 *
 * Names are normalised (NFKC, lower case, spaces collapsed, surrounding punctuation removed; with `stripDose`,
 * default true, a trailing dose/route from the first number on: "aspirin 81 mg daily" → "aspirin") and mapped to
 * their canonical name through the synonym map (canonical → synonyms; a canonical maps to itself). Predicted and
 * gold sets of canonical names give TP, precision = TP/|pred|, recall = TP/|gold| (both 1 when both are empty),
 * F1; reward = F1.
 *
 * @packageDocumentation
 */
import type { VerificationResult, Verifier } from '../types';
import { findJsonValues, type LenientValue } from './lenient-json';
import { excludedRanges, withPrompt } from './answer-policy';
import { HEDGE_WORD, NEGATION_AFTER, NEGATION_BEFORE } from './cues';
import { answerText, inRanges, normalizeLoose } from './text';
import { expectObject, VerifierArgumentError } from '../argument-error';

/** The reference of a drug-extraction task. */
export interface DrugJsonReference {
  /** Gold drug names. */
  drugs: readonly string[];
  /** Canonical name → synonyms (brand names, salts, translations). */
  synonyms?: Readonly<Record<string, readonly string[]>>;
  /** The JSON key holding the drug list (default: any of the usual keys). */
  field?: string;
  /** Remove a trailing dose/route ("81 mg po daily") from names (default true). */
  stripDose?: boolean;
  /** The prompt: JSON in lines copied from it is ignored. */
  prompt?: string;
}

/** Keys whose value rules drugs out: never read as predictions. */
const NEGATIVE_KEYS = new Set([
  'contraindicated', 'contraindications', 'contraindication', 'avoid', 'avoided', 'excluded', 'exclude', 'not_recommended', 'notrecommended',
  'discontinue', 'discontinued', 'stop', 'stopped', 'do_not_use', '禁用', '禁忌', '避免', '停用', '慎用', '不推荐',
]);
const NEG_ENTRY_BEFORE = new RegExp(`^(?:${NEGATION_BEFORE}|avoid|stop|discontinue|hold|停用|禁用|避免|慎用)`, 'i');
const NEG_ENTRY_AFTER = new RegExp(`(?:${NEGATION_AFTER}|contraindicated|禁用|禁忌)[)）]?\\s*$`, 'i');
const ALT_IN_ENTRY = new RegExp(`\\s(?:${HEDGE_WORD})\\s|\\S/\\S|或者?|还是`, 'i');
/** Prefix of a hedged entry (upper case: normalised gold names are lower case, so it never equals one). */
const HEDGE_MARK = 'HEDGE: ';

const DRUG_KEYS = new Set(['drugs', 'drug', 'medications', 'medication', 'medicines', 'drug_list', 'drugnames', 'drug_names', '药物', '药品', '用药']);
const NAME_KEYS = ['name', 'drug', 'drug_name', 'generic_name', 'medication', 'drugname', '名称', '药名', '药物名称', '药物'];

/** Normalises a drug name for comparison. */
export function normalizeDrugName(name: string, stripDose = true): string {
  let s = normalizeLoose(name);
  if (stripDose) {
    const m = /\s\d/.exec(s);
    if (m && m.index > 0) s = s.slice(0, m.index).trim();
  }
  return s;
}

/** Builds the synonym → canonical lookup (normalised keys). */
function buildLookup(synonyms: Readonly<Record<string, readonly string[]>> | undefined, stripDose: boolean): Map<string, string> {
  const map = new Map<string, string>();
  for (const [canon, list] of Object.entries(synonyms ?? {})) {
    const c = normalizeDrugName(canon, stripDose);
    map.set(c, c);
    for (const syn of list) map.set(normalizeDrugName(String(syn), stripDose), c);
  }
  return map;
}

function hasDrugKey(v: LenientValue, field: string | undefined, depth = 0): LenientValue | undefined {
  if (depth > 3 || v === null || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) return undefined;
  for (const [k, val] of Object.entries(v)) {
    const key = k.trim().toLowerCase();
    if (field ? key === field.toLowerCase() : DRUG_KEYS.has(key)) return val;
  }
  for (const [k, val] of Object.entries(v)) {
    if (NEGATIVE_KEYS.has(k.trim().toLowerCase())) continue;
    const inner = hasDrugKey(val, field, depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** Drug names from a value (strings, objects with a name field, nested lists). */
function namesFrom(v: LenientValue, out: string[], depth = 0): void {
  if (depth > 8 || out.length > 1000 || v === null) return;
  if (typeof v === 'string') {
    // "aspirin, metformin" as one string
    for (const part of v.split(/[,;，；、\n]/)) {
      const t = part.trim();
      if (!t || NEG_ENTRY_BEFORE.test(t) || NEG_ENTRY_AFTER.test(t)) continue; // ruled out
      out.push(ALT_IN_ENTRY.test(t) ? HEDGE_MARK + t : part);
    }
    return;
  }
  if (typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) namesFrom(x, out, depth + 1);
    return;
  }
  const entries = Object.entries(v).filter(([k]) => !NEGATIVE_KEYS.has(k.trim().toLowerCase()));
  for (const key of NAME_KEYS) {
    const hit = entries.find(([k]) => k.trim().toLowerCase() === key);
    if (hit && typeof hit[1] === 'string') {
      namesFrom(hit[1], out, depth + 1);
      return;
    }
  }
  const inner = hasDrugKey(v, undefined);
  if (inner !== undefined) namesFrom(inner, out, depth + 1);
}

/**
 * Extracts the predicted drug names (raw) from a completion; null when it holds no JSON.
 *
 * @param field - the JSON key holding the list (default: the usual keys).
 */
export function extractDrugs(completion: string, field?: string, prompt?: string): { names: string[]; fenced: boolean } | null {
  if (typeof completion !== 'string') return null;
  const text = answerText(completion);
  const found = findJsonValues(text);
  const excluded = found.length > 0 ? excludedRanges(text, prompt === undefined ? {} : { prompt }) : [];
  const values = found.filter((v) => !inRanges(excluded, v.start));
  if (values.length === 0) return null;
  let chosen: LenientValue | undefined;
  let fenced = false;
  for (let k = values.length - 1; k >= 0 && chosen === undefined; k--) {
    const d = hasDrugKey(values[k]!.value, field);
    if (d !== undefined) {
      chosen = d;
      fenced = values[k]!.fenced;
    }
  }
  if (chosen === undefined) {
    const f = [...values].reverse().find((v) => v.fenced) ?? values[values.length - 1]!;
    chosen = f.value;
    fenced = f.fenced;
  }
  const names: string[] = [];
  namesFrom(chosen, names);
  return { names, fenced };
}

/**
 * Verifies a drug-extraction completion: reward = entity-level F1 after synonym normalisation.
 *
 * @throws {@link VerifierArgumentError} naming `drugs` when it is not an array of strings.
 */
export function verifyDrugJson(completion: string, ref: DrugJsonReference): VerificationResult {
  expectObject(ref, 'ref', 'a drug-JSON reference');
  if (ref.field !== undefined && typeof ref.field !== 'string') throw new VerifierArgumentError('field', `expected a JSON key string, got ${typeof ref.field}`);
  if (ref.synonyms !== undefined) {
    expectObject(ref.synonyms, 'synonyms', 'a canonical name → synonyms');
    for (const [k, v] of Object.entries(ref.synonyms)) {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new VerifierArgumentError(`synonyms.${k}`, `expected an array of names, got ${JSON.stringify(v)?.slice(0, 60)}`);
    }
  }
  if (!Array.isArray(ref.drugs) || ref.drugs.some((d) => typeof d !== 'string')) {
    throw new VerifierArgumentError('drugs', `expected an array of drug names, got ${JSON.stringify(ref.drugs)?.slice(0, 60)}`);
  }
  const stripDose = ref.stripDose ?? true;
  const lookup = buildLookup(ref.synonyms, stripDose);
  const canon = (s: string): string => {
    if (s.startsWith(HEDGE_MARK)) return s; // a hedge matches no gold name
    const n = normalizeDrugName(s, stripDose);
    return lookup.get(n) ?? n;
  };
  const gold = new Set(ref.drugs.map(canon).filter((s) => s.length > 0));
  const got = extractDrugs(completion, ref.field, typeof ref.prompt === 'string' ? ref.prompt : undefined);
  if (!got) {
    return { reward: 0, verdict: 'unparseable', evidence: 'no JSON found in the answer', source: 'rule', details: { gold: [...gold] } };
  }
  const pred = new Set(got.names.map(canon).filter((s) => s.length > 0));
  let tp = 0;
  for (const p of pred) if (gold.has(p)) tp++;
  const precision = pred.size === 0 ? (gold.size === 0 ? 1 : 0) : tp / pred.size;
  const recall = gold.size === 0 ? (pred.size === 0 ? 1 : 0) : tp / gold.size;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const verdict = f1 >= 1 ? 'correct' : f1 <= 0 ? 'incorrect' : 'partial';
  const missing = [...gold].filter((g) => !pred.has(g));
  const extra = [...pred].filter((p) => !gold.has(p));
  return {
    reward: f1,
    verdict,
    evidence: `P ${precision.toFixed(3)} R ${recall.toFixed(3)} F1 ${f1.toFixed(3)}${missing.length ? `; missing: ${missing.join(', ')}` : ''}${extra.length ? `; extra: ${extra.join(', ')}` : ''}`,
    source: 'rule',
    details: { precision, recall, f1, tp, predicted: [...pred], gold: [...gold], missing, extra, fenced: got.fenced },
  };
}

/** A {@link Verifier} (the context's `prompt` fills the reference's, see `withPrompt`) for drug extraction. */
export const drugJsonVerifier: Verifier<DrugJsonReference> = {
  name: 'drug-json',
  verify: (completion, ref, context) => verifyDrugJson(completion, withPrompt(ref, context)),
};
