/**
 * Back-translation consistency filter: extract the fact(s) back from a generated sentence and keep the sentence
 * only when the extracted fact is the triple it was meant to state.
 *
 * The rule-based extractor finds entity mentions with a lexicon of the KG's names, synonyms and other-language
 * names (longest match, word boundaries for Latin text), masks them, and reads the relation from predicate cue
 * phrases in English and Chinese (with negation, direction and entity kinds). A model-based extractor can be
 * plugged in through the same {@link FactExtractor} interface.
 *
 * @packageDocumentation
 */
import { normalizeIcd10 } from '../kg/codes';
import type { Entity, EntityKind, Language, Predicate, Triple } from '../kg/types';
import { displayCode, hasHan } from './template-translator';
import type { Sentence, TextGenerator, TranslateKg } from './types';

// ---------------------------------------------------------------------------------------------------------------
// Lexicon and mentions

/** Normalised text for matching: NFKC, lower case, unified quotes and dashes, collapsed whitespace. */
export function normalizeForMatch(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Surface forms → entity ids, plus the entities themselves (for their kinds). */
export interface Lexicon {
  surfaces: Map<string, Set<string>>;
  entities: Map<string, Entity>;
  /** Distinct surface lengths, longest first. */
  lengths: number[];
}

/**
 * Build a lexicon from entities: each entity's preferred name, synonyms and names in other languages.
 *
 * @param entities - the entities that may be mentioned.
 * @param extra - additional (id, surface) pairs, e.g. literal synonyms from triples.
 */
export function buildLexicon(entities: Iterable<Entity>, extra: Iterable<{ id: string; surface: string }> = []): Lexicon {
  const lex: Lexicon = { surfaces: new Map(), entities: new Map(), lengths: [] };
  for (const e of entities) {
    lex.entities.set(e.id, e);
    addSurface(lex, e.id, e.name);
    for (const s of e.synonyms ?? []) addSurface(lex, e.id, s);
    for (const names of Object.values(e.names ?? {})) for (const n of names ?? []) addSurface(lex, e.id, n);
  }
  for (const { id, surface } of extra) addSurface(lex, id, surface);
  return lex;
}

/** Add one surface form of `id` to a lexicon (surfaces shorter than 2 characters are ignored). */
export function addSurface(lex: Lexicon, id: string, surface: string): void {
  const key = normalizeForMatch(surface);
  if (key.length < 2) return;
  let ids = lex.surfaces.get(key);
  if (!ids) {
    ids = new Set();
    lex.surfaces.set(key, ids);
    if (!lex.lengths.includes(key.length)) {
      lex.lengths.push(key.length);
      lex.lengths.sort((a, b) => b - a);
    }
  }
  ids.add(id);
}

/** One occurrence of a lexicon entry in normalised text. */
export interface Mention {
  start: number;
  end: number;
  surface: string;
  ids: string[];
}

const WORD = /[a-z0-9]/;

/**
 * Find entity mentions in normalised text: longest matches first, no overlaps, Latin entries only at word
 * boundaries.
 *
 * @param normText - text already passed through {@link normalizeForMatch}.
 * @param lex - the lexicon.
 * @returns mentions in text order.
 */
export function findMentions(normText: string, lex: Lexicon): Mention[] {
  const found: Mention[] = [];
  const n = normText.length;
  for (let i = 0; i < n; i++) {
    for (const len of lex.lengths) {
      if (i + len > n) continue;
      const sub = normText.slice(i, i + len);
      const ids = lex.surfaces.get(sub);
      if (!ids) continue;
      if (WORD.test(sub.charAt(0)) && i > 0 && WORD.test(normText.charAt(i - 1))) continue;
      if (WORD.test(sub.charAt(len - 1)) && i + len < n && WORD.test(normText.charAt(i + len))) continue;
      found.push({ start: i, end: i + len, surface: sub, ids: [...ids] });
    }
  }
  found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const taken: Mention[] = [];
  for (const m of found) {
    if (taken.some((t) => m.start < t.end && t.start < m.end)) continue;
    taken.push(m);
  }
  return taken.sort((a, b) => a.start - b.start);
}

// ---------------------------------------------------------------------------------------------------------------
// Cue phrases

type Cue =
  | 'negation'
  | 'isA'
  | 'reverseIsA'
  | 'synonym'
  | 'translation'
  | 'code'
  | 'definition'
  | 'symptom'
  | 'reverseSymptom'
  | 'symptomatic'
  | 'treat'
  | 'reverseTreat';

/** Cue patterns, matched against normalised text where entity mentions are replaced by `§`. */
const CUES: Record<Language, Record<Cue, RegExp>> = {
  en: {
    negation: /\b(not|no|never|cannot|neither|nor)\b|n't\b/,
    isA: /\b(types?|kinds?|forms?|sub-?types?|subclass(es)?|variety|varieties|category|categories|classified|class|belongs? to|falls? under)\b|\bis an? §/,
    reverseIsA: /\b(includes?|including|encompass(es)?|comprises?)\b/,
    synonym: /\b(also known as|also called|known as|called|another name|other names?|synonyms?|synonymous|interchangeabl[ey]|aka|referred to as)\b/,
    translation: /\b(chinese|english|mandarin|translat\w*)\b/,
    code: /\b(icd|icd-?10(-?cm)?|codes?|coded)\b/,
    definition: /\b(defined as|definition|refers? to|denotes|described as|is a term for|means)\b/,
    symptom: /\b(symptoms?|signs?|presents? with|presenting|manifest\w*|experience\w*|characteri[sz]ed by|features?|complain\w* of)\b/,
    reverseSymptom: /§ (is|are|can be|may be) ([\w-]+ ){0,4}(symptoms?|signs?|manifestations?|features?) of §/,
    symptomatic: /\b(symptomatic|symptoms?|reliev\w*|relief|alleviat\w*|eas(e|es|ing)|palliat\w*)\b/,
    treat: /\b(treat\w*|therap\w*|indicat\w*|prescri\w*|used (for|to|in)|manag\w*|cures?|medications?|drugs?)\b/,
    reverseTreat: /§ (can|may|could|should)? ?(be )?(treated|managed) with §|§ is (not )?an indication for §|^in §, §|relieved with §/,
  },
  zh: {
    negation: /(不是|并非|不属于|不适用|不适合|不用于|不能|不可|不宜|不应|不推荐|不作为|不被|不会|无效|没有|并不|均不|非其)/,
    isA: /(一种|属于|亚型|归属|归类|类型|一类|分类)|是§[。.]?$/,
    reverseIsA: /(包括|包含|涵盖)/,
    synonym: /(又称|也叫|也称|别名|同义词|又名|俗称|简称|亦称|称为|又叫)/,
    translation: /(中文|英文|汉语|英语|译|外文)/,
    code: /(icd|编码|代码|编号)/,
    definition: /(是指|定义|即|所谓|指的是|意为)/,
    symptom: /(症状|表现|体征|出现|伴有|伴随|征象|主诉)/,
    reverseSymptom: /§(是|为|属于)§的\S*(症状|表现|体征)/,
    symptomatic: /(缓解|对症|减轻|症状)/,
    treat: /(治疗|用于|适用|适应证|适应症|疗效|药物|首选|处方|主治)/,
    reverseTreat: /§可以?使用§|§不是§的适应|对于§，§|^对于§,§|§可(以)?用§/,
  },
};

function cuesOf(masked: string, language: Language): Set<Cue> {
  const out = new Set<Cue>();
  // Mixed text (e.g. Chinese with English names) is checked against both cue sets for the cues that carry meaning.
  const langs: Language[] = language === 'zh' || hasHan(masked) ? ['zh', 'en'] : ['en'];
  for (const l of langs) {
    for (const [cue, re] of Object.entries(CUES[l]) as [Cue, RegExp][]) if (re.test(masked)) out.add(cue);
  }
  return out;
}

const cueWordCache = new Map<string, boolean>();
/** True when a whole name is a positive cue phrase (e.g. `symptom`, `症状`). */
function isCueWord(surface: string): boolean {
  let v = cueWordCache.get(surface);
  if (v === undefined) {
    v = false;
    for (const l of ['en', 'zh'] as Language[]) {
      for (const [cue, re] of Object.entries(CUES[l]) as [Cue, RegExp][]) {
        if (cue === 'negation') continue;
        const m = re.exec(surface);
        if (m && m[0].length === surface.length) v = true;
      }
    }
    if (cueWordCache.size > 10_000) cueWordCache.clear();
    cueWordCache.set(surface, v);
  }
  return v;
}

const CODE_RE = /(?<![a-z0-9])([a-z][0-9][0-9a-z](?:\.?[0-9a-z]{1,4})?)(?![a-z0-9])/g;

// ---------------------------------------------------------------------------------------------------------------
// Extraction

/** A fact read back from a sentence. `object` is an entity id, or a literal for literal predicates. */
export interface ExtractedFact {
  subject: string;
  predicate: Predicate;
  object: string;
  objectIsLiteral?: boolean;
  /** The sentence states the relation negatively ("X is not a type of Y"). */
  negated?: boolean;
}

/** What an extractor returns: candidate facts, and (rule-based) the entity mentions it found. */
export interface ExtractionResult {
  facts: ExtractedFact[];
  mentions?: Mention[];
}

/** Reads facts back from a sentence; rule-based ({@link extractFacts}) or model-based ({@link createModelExtractor}). */
export type FactExtractor = (
  text: string,
  language: Language,
  lexicon: Lexicon,
) => ExtractionResult | Promise<ExtractionResult>;

const DRUG_DISEASE: ReadonlySet<Predicate> = new Set(['treats', 'symptomatic_relief', 'not_indication']);

/**
 * The rule-based extractor: every fact the sentence can be read as stating, given the lexicon's entities.
 *
 * Entity–entity relations come from pairs of mentions: drug–disease pairs are treats / symptomatic_relief /
 * not_indication by cue and negation; disease–symptom pairs are has_symptom; other pairs use is_a / has_symptom /
 * treatment cues with direction from word order and reverse cues ("… includes …", "… can be treated with …").
 * Literal facts: ICD-10 codes (code cue + code pattern), synonyms and translations (two surfaces, synonym or
 * language cue), definitions (definition cue; the object is the text without the subject).
 *
 * @param text - the sentence.
 * @param language - its language.
 * @param lexicon - names to look for.
 */
export function extractFacts(text: string, language: Language, lexicon: Lexicon): ExtractionResult {
  const norm = normalizeForMatch(text);
  const mentions = findMentions(norm, lexicon);
  // Mask names so that words inside them ("not", "不", "treatment") are not read as cues; names that are
  // themselves cue words (the Symptom Ontology's root term "symptom") stay readable.
  let masked = '';
  let pos = 0;
  for (const m of mentions) {
    masked += `${norm.slice(pos, m.start)}${isCueWord(m.surface) ? m.surface : '§'}`;
    pos = m.end;
  }
  masked += norm.slice(pos);
  const cues = cuesOf(masked, language);
  const negated = cues.has('negation');
  const facts: ExtractedFact[] = [];
  const kindOf = (id: string): EntityKind | undefined => lexicon.entities.get(id)?.kind;
  const push = (f: ExtractedFact): void => {
    if (!facts.some((g) => g.subject === f.subject && g.predicate === f.predicate && g.object === f.object && !!g.negated === !!f.negated)) {
      facts.push(f);
    }
  };
  const drugPredicate = (): Predicate | undefined => {
    if (!cues.has('treat') && !cues.has('symptomatic')) return undefined;
    if (negated) return 'not_indication';
    return cues.has('symptomatic') ? 'symptomatic_relief' : 'treats';
  };

  const ms = mentions.slice(0, 8);
  for (let i = 0; i < ms.length; i++) {
    for (let j = i + 1; j < ms.length; j++) {
      const A = ms[i] as Mention;
      const B = ms[j] as Mention;
      // "X is a type of X": a name related to itself states nothing checkable
      if (A.surface === B.surface) continue;
      const shared = A.ids.filter((id) => B.ids.includes(id));
      // two names of the same entity (or a name-like pair): synonym / translation
      if (cues.has('translation') || cues.has('synonym')) {
        const predicate: Predicate = cues.has('translation') && hasHan(A.surface) !== hasHan(B.surface) ? 'translation' : 'synonym';
        if (predicate === 'translation' || cues.has('synonym')) {
          const subjects = shared.length > 0 ? shared : A.ids;
          for (const id of subjects) push({ subject: id, predicate, object: B.surface, objectIsLiteral: true, negated });
          for (const id of shared.length > 0 ? shared : B.ids) push({ subject: id, predicate, object: A.surface, objectIsLiteral: true, negated });
        }
      }
      for (const a of A.ids) {
        for (const b of B.ids) {
          if (a === b) continue;
          const ka = kindOf(a);
          const kb = kindOf(b);
          if ((ka === 'drug' && kb === 'disease') || (ka === 'disease' && kb === 'drug')) {
            const p = drugPredicate();
            if (p) push(ka === 'drug' ? { subject: a, predicate: p, object: b } : { subject: b, predicate: p, object: a });
            continue;
          }
          if ((ka === 'disease' && kb === 'symptom') || (ka === 'symptom' && kb === 'disease')) {
            // direction from word order and reverse cues, so "influenza is a symptom of fever" is read as stated
            if (cues.has('symptom')) {
              push(cues.has('reverseSymptom') ? { subject: b, predicate: 'has_symptom', object: a, negated } : { subject: a, predicate: 'has_symptom', object: b, negated });
            }
            continue;
          }
          if (cues.has('isA')) {
            push(cues.has('reverseIsA') ? { subject: b, predicate: 'is_a', object: a, negated } : { subject: a, predicate: 'is_a', object: b, negated });
          }
          if (cues.has('symptom') && ka !== 'drug' && kb !== 'drug') {
            push(cues.has('reverseSymptom') ? { subject: b, predicate: 'has_symptom', object: a, negated } : { subject: a, predicate: 'has_symptom', object: b, negated });
          }
          const p = drugPredicate();
          if (p && ka !== 'symptom' && kb !== 'symptom') {
            push(cues.has('reverseTreat') ? { subject: b, predicate: p, object: a } : { subject: a, predicate: p, object: b });
          }
        }
      }
    }
  }

  if (cues.has('code')) {
    const codes = [...masked.matchAll(CODE_RE)].map((m) => (m[1] as string).toUpperCase());
    for (const m of ms) {
      for (const id of m.ids) {
        if (kindOf(id) === 'code') continue;
        for (const c of codes) push({ subject: id, predicate: 'icd10_code', object: c, objectIsLiteral: true, negated });
      }
    }
  }

  if (cues.has('definition')) {
    for (const m of ms) {
      const rest = `${norm.slice(0, m.start)} ${norm.slice(m.end)}`.trim();
      for (const id of m.ids) push({ subject: id, predicate: 'definition', object: rest, objectIsLiteral: true });
    }
  }
  return { facts, mentions };
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

/** Why a sentence was dropped. */
export type DropReason =
  | 'subject-not-found'
  | 'object-not-found'
  | 'negated'
  | 'polarity-mismatch'
  | 'predicate-mismatch'
  | 'direction-mismatch'
  | 'object-mismatch'
  | 'predicate-not-found'
  | 'extractor-error';

/** Options of the matching step. */
export interface MatchOptions {
  /**
   * Share of the definition's tokens (Latin words, Chinese bigrams) that must occur in a definition sentence.
   * Default 0.85. Template sentences quote the definition, so the filters require 1 for them.
   */
  definitionThreshold?: number;
}

function tokens(text: string): Set<string> {
  const norm = normalizeForMatch(text);
  const out = new Set<string>();
  for (const w of norm.match(/[a-z0-9]+/g) ?? []) if (w.length >= 2) out.add(w);
  const han = [...norm].filter((c) => hasHan(c));
  for (let i = 0; i + 1 < han.length; i++) out.add(`${han[i]}${han[i + 1]}`);
  if (han.length === 1) out.add(han[0] as string);
  return out;
}

/** Share of `part`'s tokens (Latin words, Chinese character bigrams) that occur in `whole`. */
export function containment(part: string, whole: string): number {
  const p = tokens(part);
  if (p.size === 0) return 0;
  const w = tokens(whole);
  let hit = 0;
  for (const t of p) if (w.has(t)) hit++;
  return hit / p.size;
}

function objectMatches(f: ExtractedFact, t: Triple, opts: MatchOptions): boolean {
  if (t.predicate === 'icd10_code' || f.predicate === 'icd10_code') {
    return f.predicate === t.predicate && normalizeIcd10(displayCode(f.object)) === normalizeIcd10(displayCode(t.object));
  }
  if (t.predicate === 'definition') {
    return f.predicate === 'definition' && containment(t.object, f.object) >= (opts.definitionThreshold ?? 0.85);
  }
  if (t.objectIsLiteral || t.predicate === 'synonym' || t.predicate === 'translation') {
    return normalizeForMatch(f.object) === normalizeForMatch(t.object);
  }
  return f.object === t.object;
}

/** True when an extracted fact states exactly the triple (same subject, predicate and object, not negated). */
export function factMatches(f: ExtractedFact, t: Triple, opts: MatchOptions = {}): boolean {
  return f.subject === t.subject && f.predicate === t.predicate && !f.negated && objectMatches(f, t, opts);
}

/** The outcome of checking one sentence against its triple. */
export interface CheckResult {
  ok: boolean;
  reason?: DropReason;
  facts: ExtractedFact[];
}

/**
 * Decide whether the extraction agrees with the triple, and if not, why.
 *
 * @param text - the sentence.
 * @param triple - the fact it should state.
 * @param extraction - what the extractor read back.
 */
export function compareExtraction(text: string, triple: Triple, extraction: ExtractionResult, opts: MatchOptions = {}): CheckResult {
  const { facts, mentions } = extraction;
  if (facts.some((f) => factMatches(f, triple, opts))) return { ok: true, facts };
  const fail = (reason: DropReason): CheckResult => ({ ok: false, reason, facts });
  const norm = normalizeForMatch(text);

  const subjectFound = mentions
    ? mentions.some((m) => m.ids.includes(triple.subject))
    : facts.some((f) => f.subject === triple.subject || f.object === triple.subject);
  if (!subjectFound) return fail('subject-not-found');
  let objectFound: boolean;
  if (triple.predicate === 'icd10_code') {
    const want = normalizeIcd10(displayCode(triple.object));
    objectFound = [...norm.matchAll(CODE_RE)].some((m) => normalizeIcd10(m[1] as string) === want);
  } else if (triple.predicate === 'definition') {
    objectFound = containment(triple.object, text) >= (opts.definitionThreshold ?? 0.85);
  } else if (triple.objectIsLiteral || triple.predicate === 'synonym' || triple.predicate === 'translation') {
    objectFound = norm.includes(normalizeForMatch(triple.object));
  } else {
    objectFound = mentions
      ? mentions.some((m) => m.ids.includes(triple.object))
      : facts.some((f) => f.object === triple.object || f.subject === triple.object);
  }
  if (!objectFound) return fail('object-not-found');

  const sameEnds = facts.filter((f) => f.subject === triple.subject && objectMatches({ ...f, predicate: triple.predicate }, triple, opts));
  if (sameEnds.some((f) => f.predicate === triple.predicate && f.negated)) return fail('negated');
  const polar = (p: Predicate): number => (p === 'not_indication' ? -1 : p === 'treats' || p === 'symptomatic_relief' ? 1 : 0);
  if (sameEnds.some((f) => polar(f.predicate) * polar(triple.predicate) === -1)) return fail('polarity-mismatch');
  if (sameEnds.some((f) => f.predicate !== triple.predicate)) return fail('predicate-mismatch');
  if (facts.some((f) => f.predicate === triple.predicate && f.subject === triple.object && f.object === triple.subject)) {
    return fail('direction-mismatch');
  }
  if (facts.some((f) => f.predicate === triple.predicate && f.subject === triple.subject)) return fail('object-mismatch');
  return fail('predicate-not-found');
}

/**
 * Check one sentence against its triple with the rule-based extractor.
 *
 * @param text - the sentence.
 * @param language - its language.
 * @param triple - the fact it should state.
 * @param lexicon - names to look for (must include the triple's entities).
 */
export function checkSentence(text: string, language: Language, triple: Triple, lexicon: Lexicon, opts: MatchOptions = {}): CheckResult {
  return compareExtraction(text, triple, extractFacts(text, language, lexicon), opts);
}

// ---------------------------------------------------------------------------------------------------------------
// Filter

/** Options of {@link backTranslationFilter}. */
export interface BackTranslationOptions extends MatchOptions {
  /** The extractor; default the rule-based {@link extractFacts}. */
  extractor?: FactExtractor;
  /**
   * The lexicon; default one built from every entity the batch's triples mention (looked up in the KG), plus the
   * literal objects of synonym and translation triples as names of their subjects.
   */
  lexicon?: Lexicon;
  /** More entities to add to the default lexicon (e.g. likely distractors). */
  extraEntities?: Iterable<Entity>;
}

/** A dropped sentence with the reason and what was read back from it. */
export interface DroppedSentence<S extends Sentence = Sentence> {
  sentence: S;
  reason: DropReason;
  facts: ExtractedFact[];
}

/** Counts of a back-translation pass. */
export interface BackTranslationReport {
  kept: number;
  dropped: number;
  reasons: Partial<Record<DropReason, number>>;
}

/** Kept and dropped sentences with the counts. */
export interface BackTranslationResult<S extends Sentence = Sentence> {
  kept: S[];
  dropped: DroppedSentence<S>[];
  report: BackTranslationReport;
}

/**
 * The default lexicon for a batch of triples: their entities' names (from the KG) and their synonym/translation
 * literals.
 */
export function lexiconForTriples(kg: TranslateKg, triples: Iterable<Triple>, extraEntities: Iterable<Entity> = []): Lexicon {
  const ents = new Map<string, Entity>();
  const extra: { id: string; surface: string }[] = [];
  for (const t of triples) {
    const s = kg.entity(t.subject);
    if (s) ents.set(s.id, s);
    if (!t.objectIsLiteral && t.predicate !== 'synonym' && t.predicate !== 'translation' && t.predicate !== 'definition' && t.predicate !== 'icd10_code') {
      const o = kg.entity(t.object);
      if (o) ents.set(o.id, o);
    }
    if (t.predicate === 'synonym' || t.predicate === 'translation') extra.push({ id: t.subject, surface: t.object });
  }
  for (const e of extraEntities) ents.set(e.id, e);
  return buildLexicon(ents.values(), extra);
}

function matchOptionsFor(sentence: Sentence, options: MatchOptions): MatchOptions {
  return sentence.method === 'template' ? { ...options, definitionThreshold: 1 } : options;
}

function finish<S extends Sentence>(results: { sentence: S; check: CheckResult }[]): BackTranslationResult<S> {
  const kept: S[] = [];
  const dropped: DroppedSentence<S>[] = [];
  const reasons: Partial<Record<DropReason, number>> = {};
  for (const { sentence, check } of results) {
    if (check.ok) kept.push(sentence);
    else {
      const reason = check.reason ?? 'predicate-not-found';
      dropped.push({ sentence, reason, facts: check.facts });
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
  }
  return { kept, dropped, report: { kept: kept.length, dropped: dropped.length, reasons } };
}

/**
 * Keep the sentences whose fact, extracted back from the text, is the triple they were generated from; report
 * kept/dropped counts and the reasons for each drop. Works with any {@link FactExtractor} (async allowed).
 *
 * @param kg - entity lookup.
 * @param sentences - generated sentences (template or model).
 * @param options - extractor, lexicon and matching threshold.
 */
export async function backTranslationFilter<S extends Sentence>(
  kg: TranslateKg,
  sentences: readonly S[],
  options: BackTranslationOptions = {},
): Promise<BackTranslationResult<S>> {
  const lexicon = options.lexicon ?? lexiconForTriples(kg, sentences.map((s) => s.triple), options.extraEntities);
  const extractor = options.extractor ?? extractFacts;
  const results: { sentence: S; check: CheckResult }[] = [];
  for (const sentence of sentences) {
    let check: CheckResult;
    try {
      const extraction = await extractor(sentence.text, sentence.language, lexicon);
      check = compareExtraction(sentence.text, sentence.triple, extraction, matchOptionsFor(sentence, options));
    } catch {
      check = { ok: false, reason: 'extractor-error', facts: [] };
    }
    results.push({ sentence, check });
  }
  return finish(results);
}

/**
 * Synchronous {@link backTranslationFilter} with the rule-based extractor.
 */
export function backTranslationFilterSync<S extends Sentence>(
  kg: TranslateKg,
  sentences: readonly S[],
  options: Omit<BackTranslationOptions, 'extractor'> = {},
): BackTranslationResult<S> {
  const lexicon = options.lexicon ?? lexiconForTriples(kg, sentences.map((s) => s.triple), options.extraEntities);
  return finish(
    sentences.map((sentence) => ({
      sentence,
      check: checkSentence(sentence.text, sentence.language, sentence.triple, lexicon, matchOptionsFor(sentence, options)),
    })),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Model-based extractor

const RELATIONS = 'is_a, synonym, icd10_code, has_symptom, treats, symptomatic_relief, not_indication, definition, translation';

/**
 * The prompt that asks a model to extract the fact a sentence states, as JSON.
 *
 * @param text - the sentence.
 * @param language - its language (the instructions are in English for `en`, Chinese for `zh`).
 */
export function buildExtractionPrompt(text: string, language: Language): string {
  if (language === 'zh') {
    return [
      '请从下面的句子中抽取它陈述的一条医学事实，只输出JSON，键为 "subject"、"relation"、"object"、"negated"。',
      `relation 必须是以下之一：${RELATIONS}。subject 和 object 照抄句中的名称；否定的陈述 negated 为 true。`,
      `句子：${text}`,
      'JSON：',
    ].join('\n');
  }
  return [
    'Extract the one medical fact the sentence states. Answer with JSON only, with keys "subject", "relation", "object", "negated".',
    `"relation" must be one of: ${RELATIONS}. Copy subject and object names exactly as written; "negated" is true for a negative statement.`,
    `Sentence: ${text}`,
    'JSON:',
  ].join('\n');
}

const PREDICATE_SET: ReadonlySet<string> = new Set(RELATIONS.split(', '));
const LITERAL_PREDICATES: ReadonlySet<Predicate> = new Set(['synonym', 'icd10_code', 'definition', 'translation']);

function idsForName(name: string, lex: Lexicon): string[] {
  const norm = normalizeForMatch(name);
  const exact = lex.surfaces.get(norm);
  if (exact) return [...exact];
  return [...new Set(findMentions(norm, lex).flatMap((m) => m.ids))];
}

/**
 * A model-based {@link FactExtractor}: prompts the generator with {@link buildExtractionPrompt}, parses the first
 * JSON object in the reply and maps names to entity ids through the lexicon. Unparseable replies give no facts
 * (the sentence is then dropped with the reason found by the matcher).
 *
 * @param generate - any text generator.
 * @param options - generation settings (seed default 0, greedy, 96 new tokens).
 */
export function createModelExtractor(
  generate: TextGenerator,
  options: { seed?: number; maxNewTokens?: number; temperature?: number } = {},
): FactExtractor {
  return async (text, language, lexicon) => {
    const reply = await generate(buildExtractionPrompt(text, language), {
      seed: options.seed ?? 0,
      maxNewTokens: options.maxNewTokens ?? 96,
      temperature: options.temperature ?? 0,
    });
    const json = /\{[\s\S]*?\}/.exec(reply)?.[0];
    if (!json) return { facts: [] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return { facts: [] };
    }
    const rec = parsed as { subject?: unknown; relation?: unknown; object?: unknown; negated?: unknown };
    if (typeof rec.subject !== 'string' || typeof rec.object !== 'string' || typeof rec.relation !== 'string') return { facts: [] };
    const relation = rec.relation.trim();
    if (!PREDICATE_SET.has(relation)) return { facts: [] };
    const predicate = relation as Predicate;
    const negated = rec.negated === true;
    const subjects = idsForName(rec.subject, lexicon);
    const objects = LITERAL_PREDICATES.has(predicate) ? [rec.object.trim()] : idsForName(rec.object, lexicon);
    const facts: ExtractedFact[] = [];
    for (const s of subjects) {
      for (const o of objects) {
        facts.push({
          subject: s,
          predicate,
          object: o,
          objectIsLiteral: LITERAL_PREDICATES.has(predicate) || undefined,
          negated: negated || undefined,
        });
      }
    }
    return { facts };
  };
}

export { DRUG_DISEASE as DRUG_DISEASE_PREDICATES };
