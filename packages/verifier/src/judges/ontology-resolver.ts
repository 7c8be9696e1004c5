/**
 * An ontology resolver over the shipped Disease Ontology subset (names, EXACT synonyms, is_a, ICD10CM
 * cross-references) and the ICD-10-CM code list (titles, code hierarchy, Chinese category names): decides
 * whether two strings name the same disease where the strings differ ("heart attack" vs "myocardial
 * infarction"; "I21.4" vs "myocardial infarction"; a child code of the reference).
 *
 * @packageDocumentation
 */
import type { VerificationResult, Verifier } from '../types';
import { VerifierArgumentError } from '../argument-error';
import { normalizeIcd10Code } from '../icd10/normalize';
import { getIcd10CodeList, type Icd10CodeList } from '../icd10/code-list';
import { parseTsv, readDataText } from '../icd10/data-files';
import type { PromptContext } from '../rules/answer-policy';
import { answerCandidates, extractAnswerSpan, nameKey, readAnswerSpan, sortedNameKey } from './answer-span';

/** A Disease Ontology term. */
export interface DoTerm {
  id: string;
  name: string;
  synonyms: string[];
  /** is_a parents (DOIDs). */
  parents: string[];
  /** ICD-10-CM cross-references, without dots. */
  icd10cm: string[];
}

/**
 * How the answer relates to the reference: `equivalent` (same concept), `narrower` (the answer is a
 * descendant of the reference), `broader` (an ancestor), `related` (siblings: same parent or ICD category),
 * `different` (both resolved, no link), `unknown` (one side not resolved).
 */
export type OntologyRelation = 'equivalent' | 'narrower' | 'broader' | 'related' | 'different' | 'unknown';

/** The outcome of {@link Ontology.relate}. */
export interface RelationResult {
  relation: OntologyRelation;
  /** What decided: 'string', 'synonym', 'xref', 'is_a', 'code-hierarchy', 'sibling', 'no-link', 'unresolved'. */
  via: string;
  /** Concept ids the answer resolved to ("DOID:9352", "ICD:E119"). */
  answerConcepts: string[];
  referenceConcepts: string[];
}

const icdId = (code: string): string => `ICD:${code}`;

/** The ontology: indexes built once from the shipped data. */
export class Ontology {
  readonly terms = new Map<string, DoTerm>();
  private readonly byKey = new Map<string, Set<string>>();
  private readonly bySortedKey = new Map<string, Set<string>>();
  private readonly doByCode = new Map<string, Set<string>>();
  private readonly children = new Map<string, string[]>();
  /** DO term → the codes it is the most specific xref holder of. */
  private readonly codesByDo = new Map<string, Set<string>>();
  readonly codeList: Icd10CodeList;

  /**
   * @param options.codeList - the ICD code list (default the shared one)
   * @param options.dataDir - a directory with `do-subset.tsv.gz` (default the shipped data)
   * @param options.indexIcdTitles - index all ICD-10-CM titles as names (default true)
   */
  constructor(options: { codeList?: Icd10CodeList; dataDir?: string; indexIcdTitles?: boolean } = {}) {
    this.codeList = options.codeList ?? getIcd10CodeList();
    for (const [id, name, syn, isA, icd] of parseTsv(readDataText('do-subset.tsv.gz', options.dataDir))) {
      const t: DoTerm = {
        id: id!,
        name: name ?? '',
        synonyms: syn ? syn.split('|') : [],
        parents: isA ? isA.split('|') : [],
        icd10cm: icd ? icd.split('|').map((c) => normalizeIcd10Code(c)?.code).filter((c): c is string => !!c) : [],
      };
      this.terms.set(t.id, t);
      for (const n of [t.name, ...t.synonyms]) this.index(n, t.id);
      for (const c of t.icd10cm) add(this.doByCode, c, t.id);
      for (const p of t.parents) (this.children.get(p) ?? this.children.set(p, []).get(p)!).push(t.id);
    }
    // A code cross-referenced by several terms of one is_a chain (E11 by "diabetes mellitus" and "type 2
    // diabetes mellitus") belongs to the most specific one only.
    for (const [code, ids] of this.doByCode) {
      const keep = [...ids].filter((id) => ![...ids].some((o) => o !== id && this.doAncestors(o).has(id)));
      this.doByCode.set(code, new Set(keep));
      for (const id of keep) add(this.codesByDo, id, code);
    }
    if (options.indexIcdTitles ?? true) {
      for (const [code, title] of this.codeList.entriesCm()) this.index(title, icdId(code));
      for (const [code, title] of this.codeList.entriesZh()) this.index(title, icdId(code));
    }
  }

  private index(name: string, id: string): void {
    const k = nameKey(name);
    if (!k) return;
    add(this.byKey, k, id);
    add(this.bySortedKey, sortedNameKey(name), id);
  }

  /** The is_a closure of a DO term (strict ancestors). */
  doAncestors(id: string): Set<string> {
    const out = new Set<string>();
    const stack = [...(this.terms.get(id)?.parents ?? [])];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (out.has(p)) continue;
      out.add(p);
      stack.push(...(this.terms.get(p)?.parents ?? []));
    }
    return out;
  }

  /** The ICD-10-CM codes (no dots) treated as equivalent to a DO term. */
  codesOf(id: string): string[] {
    return [...(this.codesByDo.get(id) ?? [])].sort();
  }

  /** DO terms whose parent is `id`. */
  childrenOf(id: string): readonly string[] {
    return this.children.get(id) ?? [];
  }

  /**
   * Concept ids a string names: an ICD code ("E11.9" → "ICD:E119", when in the code list), else the DO
   * terms and ICD titles with the same {@link nameKey} (then the same sorted-word key).
   */
  resolve(text: string): string[] {
    const t = text.trim();
    const n = normalizeIcd10Code(t);
    if (n && this.codeList.has(n.code, 'either')) return [icdId(n.code)];
    const k = nameKey(t);
    if (!k) return [];
    const hit = this.byKey.get(k) ?? this.bySortedKey.get(sortedNameKey(t));
    return hit ? [...hit].sort() : [];
  }

  /** The concept and its cross-references: a DO term's ICD codes; a code's DO terms. */
  private expand(ids: Iterable<string>): Set<string> {
    const out = new Set<string>();
    for (const id of ids) {
      out.add(id);
      if (id.startsWith('ICD:')) for (const d of this.doByCode.get(id.slice(4)) ?? []) out.add(d);
      else for (const c of this.codesByDo.get(id) ?? []) out.add(icdId(c));
    }
    return out;
  }

  /** Strict ancestors: DO is_a closure (with their codes), and the code prefixes of each code (3+ chars). */
  private ancestors(ids: Iterable<string>): Set<string> {
    const out = new Set<string>();
    const stack: string[] = [];
    const self = new Set(ids);
    for (const id of self) {
      if (id.startsWith('ICD:')) {
        const c = id.slice(4);
        for (let l = c.length - 1; l >= 3; l--) stack.push(icdId(c.slice(0, l)));
      } else stack.push(...(this.terms.get(id)?.parents ?? []));
    }
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (out.has(id)) continue;
      out.add(id);
      if (id.startsWith('ICD:')) {
        for (const d of this.doByCode.get(id.slice(4)) ?? []) stack.push(d);
      } else {
        const t = this.terms.get(id);
        if (t) stack.push(...t.parents, ...[...(this.codesByDo.get(id) ?? [])].map(icdId));
      }
    }
    for (const id of self) out.delete(id);
    return out;
  }

  /**
   * How `answer` relates to `reference` (each a disease name, a synonym, or an ICD code).
   *
   * @param answer - e.g. "heart attack" or "I21.4"
   * @param reference - e.g. "myocardial infarction" or "I21"
   */
  relate(answer: string, reference: string): RelationResult {
    const A = this.resolve(answer);
    const R = this.resolve(reference);
    const base = { answerConcepts: A, referenceConcepts: R };
    if (nameKey(answer) !== '' && nameKey(answer) === nameKey(reference)) return { relation: 'equivalent', via: 'string', ...base };
    if (A.length === 0 || R.length === 0) return { relation: 'unknown', via: 'unresolved', ...base };
    if (A.some((a) => R.includes(a))) return { relation: 'equivalent', via: 'synonym', ...base };
    const Ae = this.expand(A);
    const Re = this.expand(R);
    if ([...Ae].some((a) => Re.has(a))) return { relation: 'equivalent', via: 'xref', ...base };
    const codeAnc = (s: Set<string>): Set<string> => {
      const pre: string[] = [];
      for (const id of s) if (id.startsWith('ICD:')) for (let l = id.length - 5; l >= 3; l--) pre.push(icdId(id.slice(4, 4 + l)));
      return this.expand(pre);
    };
    if ([...Re].some((r) => codeAnc(Ae).has(r))) return { relation: 'narrower', via: 'code-hierarchy', ...base };
    if ([...Ae].some((a) => codeAnc(Re).has(a))) return { relation: 'broader', via: 'code-hierarchy', ...base };
    const Aanc = this.ancestors(Ae);
    if ([...Re].some((r) => Aanc.has(r))) return { relation: 'narrower', via: 'is_a', ...base };
    const Ranc = this.ancestors(Re);
    if ([...Ae].some((a) => Ranc.has(a))) return { relation: 'broader', via: 'is_a', ...base };
    const parents = (s: Set<string>): Set<string> => {
      const p = new Set<string>();
      for (const id of s) {
        if (id.startsWith('ICD:')) p.add(`CAT:${id.slice(4, 7)}`);
        else for (const q of this.terms.get(id)?.parents ?? []) p.add(q);
      }
      return p;
    };
    const Ap = parents(Ae);
    if ([...parents(Re)].some((p) => Ap.has(p))) return { relation: 'related', via: 'sibling', ...base };
    return { relation: 'different', via: 'no-link', ...base };
  }
}

function add(m: Map<string, Set<string>>, k: string, v: string): void {
  (m.get(k) ?? m.set(k, new Set()).get(k)!).add(v);
}

let shared: Ontology | undefined;

/** The shared ontology built from the shipped data (built once, on first use; about a second). */
export function getOntology(): Ontology {
  shared ??= new Ontology();
  return shared;
}

/** Options of {@link OntologyVerifier}. */
export interface OntologyVerifierOptions {
  ontology?: Ontology;
  /** Reward when the answer is narrower than the reference (a child). Default 1. */
  narrowerCredit?: number;
  /** Reward when the answer is broader than the reference (a parent). Default 0.5. */
  broaderCredit?: number;
}

const RANK: Record<OntologyRelation, number> = { equivalent: 0, narrower: 1, broader: 2, related: 3, different: 4, unknown: 5 };

/**
 * A rule verifier for free-text diagnoses: resolves the completion's answer span and the reference with the
 * {@link Ontology}. `details.conclusive` is false (verdict 'incorrect', reward 0) when the relation is
 * `unknown`: that is where {@link HybridVerifier} asks the model.
 *
 * The answer policy of the rule verifiers (`rules/answer-policy.ts`) applies, and its outcomes are conclusive
 * (reward 0, verdict `incorrect`, the model is not asked): a **hedge** — alternatives ("pulmonary embolism or
 * myocardial infarction") that do not all name the same concept, or a final parenthesis naming a concept that is
 * neither the same as, narrower nor broader than the text before it ("pulmonary embolism (myocardial
 * infarction)"); a gloss of the same concept ("E11.9 (type 2 diabetes)", "MI (heart attack)") is not a hedge —
 * a **ruled-out** answer ("not myocardial infarction", "myocardial infarction was ruled out"), and a **question**
 * ("Answer: myocardial infarction?"). A contrast
 * states its second part ("not MI; pulmonary embolism"). Markers inside quoted or copied text are ignored.
 */
export class OntologyVerifier implements Verifier<string> {
  readonly name = 'ontology';
  private readonly ont?: Ontology;
  private readonly narrower: number;
  private readonly broader: number;

  /** @throws {@link VerifierArgumentError} naming `options.narrowerCredit` / `options.broaderCredit` when outside [0, 1] */
  constructor(options: OntologyVerifierOptions = {}) {
    if (options.ontology) this.ont = options.ontology;
    this.narrower = options.narrowerCredit ?? 1;
    this.broader = options.broaderCredit ?? 0.5;
    for (const [k, v] of [['narrowerCredit', this.narrower], ['broaderCredit', this.broader]] as const) {
      if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new VerifierArgumentError(`options.${k}`, `must be a number in [0, 1], got ${JSON.stringify(v)}`);
    }
  }

  /**
   * @param completion - the model's output (its answer span is used)
   * @param reference - the gold disease name or ICD code
   * @param context - the prompt, whose copied lines are not answers
   * @throws {@link VerifierArgumentError} naming `reference` when it is not a non-empty string
   */
  verify(completion: string, reference: string, context: PromptContext = {}): VerificationResult {
    if (typeof reference !== 'string' || reference.trim() === '') {
      throw new VerifierArgumentError('reference', `expected a non-empty disease name or ICD code, got ${JSON.stringify(reference)}`);
    }
    const ont = this.ont ?? getOntology();
    const span0 = extractAnswerSpan(completion, typeof context.prompt === 'string' ? context.prompt : undefined);
    if (!span0) return { reward: 0, verdict: 'unparseable', evidence: 'no answer found', source: 'rule', details: { conclusive: false } };
    const reading = readAnswerSpan(span0);
    const span = reading.answer;
    const policy = (why: string, extra: Record<string, unknown>): VerificationResult => ({
      reward: 0,
      verdict: 'incorrect',
      evidence: `"${span}": ${why}`,
      source: 'rule',
      details: { conclusive: true, answer: span, ...extra },
    });
    if (reading.negated) return policy('the answer is ruled out, not stated', { negated: true });
    if (reading.questioned) return policy('the answer is asked, not stated', { questioned: true });
    const SAME = new Set<OntologyRelation>(['equivalent', 'narrower', 'broader']);
    if (reading.alternatives.length > 1 && ont.resolve(span).length === 0) {
      const [first, ...rest] = reading.alternatives;
      if (!rest.every((a) => ont.relate(a, first!).relation === 'equivalent')) {
        return policy(`a hedge between ${reading.alternatives.map((a) => `"${a}"`).join(' and ')}; a hedge earns nothing`, { hedge: true });
      }
    }
    if (reading.gloss && ont.resolve(reading.gloss.outer).length > 0 && ont.resolve(reading.gloss.inner).length > 0) {
      const r = ont.relate(reading.gloss.inner, reading.gloss.outer);
      if (!SAME.has(r.relation)) return policy(`"${reading.gloss.inner}" in parentheses names another concept than "${reading.gloss.outer}" (${r.relation}); a hedge earns nothing`, { hedge: true });
    }
    let best: RelationResult | undefined;
    let bestCand = span;
    for (const c of answerCandidates(span)) {
      const r = ont.relate(c, reference);
      if (!best || RANK[r.relation] < RANK[best.relation]) {
        best = r;
        bestCand = c;
      }
    }
    const rel = best!;
    const reward = rel.relation === 'equivalent' ? 1 : rel.relation === 'narrower' ? this.narrower : rel.relation === 'broader' ? this.broader : 0;
    const verdict = reward >= 1 ? 'correct' : reward > 0 ? 'partial' : 'incorrect';
    return {
      reward,
      verdict,
      evidence: `"${bestCand}" is ${rel.relation} to "${reference}" (via ${rel.via}; ${rel.answerConcepts.join(',') || '-'} vs ${rel.referenceConcepts.join(',') || '-'})`,
      source: 'rule',
      details: { conclusive: rel.relation !== 'unknown', relation: rel.relation, via: rel.via, answer: bestCand, answerConcepts: rel.answerConcepts, referenceConcepts: rel.referenceConcepts },
    };
  }
}
