/**
 * Knowledge selection by the paper's three criteria, as configurable filters:
 *
 * - importance: how central an entity is (degree in the triple set, an ICD-10 code, a number of facts);
 * - completeness: whether an entity is described well enough to verbalise (name, definition, synonyms, names in
 *   other languages);
 * - accuracy: whether a fact is trustworthy (authority level, not obsolete, back-translation agreement for
 *   generated sentences).
 *
 * Every rejection carries the first criterion that failed, and the counts are reported.
 *
 * @packageDocumentation
 */
import type { AuthorityLevel, Entity, Language, Triple } from '../kg/types';
import { backTranslationFilterSync, type BackTranslationOptions } from './back-translation';
import type { Sentence, TranslateKg } from './types';

/** Importance of an entity. All given thresholds must hold. */
export interface ImportanceCriteria {
  /** At least this many triples mention the entity (as subject, or as an entity object). */
  minDegree?: number;
  /** The entity has an ICD-10 code (an `ICD10*` cross-reference or an `icd10_code` triple). */
  requireIcdCode?: boolean;
  /** At least this many triples have the entity as subject. */
  minTriples?: number;
}

/** What an entity description may contain, for {@link CompletenessCriteria.requireAnyOf}. */
export type EntityFacet = 'definition' | 'synonyms' | 'icd10' | 'xrefs' | 'translation';

/** Completeness of an entity. All given conditions must hold. */
export interface CompletenessCriteria {
  /** Non-empty preferred name. Default true whenever completeness criteria are given. */
  requireName?: boolean;
  /** A definition (on the entity or as a `definition` triple). */
  requireDefinition?: boolean;
  /** At least this many synonyms (entity synonyms plus `synonym` triples). */
  minSynonyms?: number;
  /** A name in each of these languages. */
  requireNameIn?: Language[];
  /** At least one of these facets. */
  requireAnyOf?: EntityFacet[];
}

/** Accuracy of a fact. */
export interface AccuracyCriteria {
  /** This authority or better (`'B'` keeps A and B). */
  minAuthority?: AuthorityLevel;
  /** Drop facts whose subject or entity object is marked obsolete. Default true whenever accuracy criteria are given. */
  excludeObsolete?: boolean;
  /** Sentences only ({@link selectSentences}): keep those that pass the back-translation filter. */
  backTranslation?: boolean;
}

/** The three criteria; leave one out to not filter by it. */
export interface SelectionCriteria {
  importance?: ImportanceCriteria;
  completeness?: CompletenessCriteria;
  accuracy?: AccuracyCriteria;
  /**
   * Which entities of a triple must pass importance and completeness: the subject only (default), or the subject
   * and an entity object.
   */
  entities?: 'subject' | 'subject-and-object';
}

/** A reasonable default following the report: well-connected, named entities; authority C or better; not obsolete. */
export const DEFAULT_SELECTION: SelectionCriteria = {
  importance: { minDegree: 2 },
  completeness: { requireName: true },
  accuracy: { minAuthority: 'C', excludeObsolete: true },
};

/** Why an entity, triple or sentence was rejected. */
export type SelectionReason =
  | 'unknown-entity'
  | 'importance:degree'
  | 'importance:icd10'
  | 'importance:triples'
  | 'completeness:name'
  | 'completeness:definition'
  | 'completeness:synonyms'
  | 'completeness:name-in-language'
  | 'completeness:any-of'
  | 'accuracy:authority'
  | 'accuracy:obsolete'
  | 'accuracy:back-translation';

/** Counts of a selection pass. */
export interface SelectionReport {
  kept: number;
  dropped: number;
  reasons: Partial<Record<SelectionReason, number>>;
}

/** Selected and rejected items with the counts. */
export interface SelectionResult<T> {
  selected: T[];
  rejected: { item: T; reason: SelectionReason }[];
  report: SelectionReport;
}

/** Per-entity statistics over a triple set, used by importance and completeness. */
export interface EntityStats {
  degree: number;
  outTriples: number;
  hasIcdTriple: boolean;
  hasDefinitionTriple: boolean;
  synonymTriples: number;
  translationTriples: number;
}

/**
 * Per-entity statistics of a triple set.
 *
 * @param triples - the facts.
 */
export function entityStats(triples: Iterable<Triple>): Map<string, EntityStats> {
  const stats = new Map<string, EntityStats>();
  const get = (id: string): EntityStats => {
    let s = stats.get(id);
    if (!s) {
      s = { degree: 0, outTriples: 0, hasIcdTriple: false, hasDefinitionTriple: false, synonymTriples: 0, translationTriples: 0 };
      stats.set(id, s);
    }
    return s;
  };
  for (const t of triples) {
    const s = get(t.subject);
    s.degree++;
    s.outTriples++;
    if (t.predicate === 'icd10_code') s.hasIcdTriple = true;
    if (t.predicate === 'definition') s.hasDefinitionTriple = true;
    if (t.predicate === 'synonym') s.synonymTriples++;
    if (t.predicate === 'translation') s.translationTriples++;
    const literal = t.objectIsLiteral || t.predicate === 'synonym' || t.predicate === 'definition' || t.predicate === 'translation' || t.predicate === 'icd10_code';
    if (!literal && t.object !== t.subject) get(t.object).degree++;
  }
  return stats;
}

const AUTH: Record<AuthorityLevel, number> = { A: 0, B: 1, C: 2, D: 3, E: 4 };

function hasIcdXref(e: Entity): boolean {
  return Object.entries(e.xrefs ?? {}).some(([sys, codes]) => /^ICD-?10/i.test(sys) && codes.length > 0);
}

/**
 * Check one entity against the importance and completeness criteria.
 *
 * @returns the first failing criterion, or undefined when the entity passes.
 */
export function checkEntity(
  entity: Entity | undefined,
  stats: EntityStats | undefined,
  criteria: SelectionCriteria,
): SelectionReason | undefined {
  if (!entity) return 'unknown-entity';
  const st = stats ?? { degree: 0, outTriples: 0, hasIcdTriple: false, hasDefinitionTriple: false, synonymTriples: 0, translationTriples: 0 };
  const imp = criteria.importance;
  if (imp) {
    if (imp.minDegree !== undefined && st.degree < imp.minDegree) return 'importance:degree';
    if (imp.requireIcdCode && !hasIcdXref(entity) && !st.hasIcdTriple) return 'importance:icd10';
    if (imp.minTriples !== undefined && st.outTriples < imp.minTriples) return 'importance:triples';
  }
  const comp = criteria.completeness;
  if (comp) {
    if ((comp.requireName ?? true) && entity.name.trim() === '') return 'completeness:name';
    const hasDef = (entity.definition ?? '').trim() !== '' || st.hasDefinitionTriple;
    if (comp.requireDefinition && !hasDef) return 'completeness:definition';
    const synonyms = entity.synonyms.length + st.synonymTriples;
    if (comp.minSynonyms !== undefined && synonyms < comp.minSynonyms) return 'completeness:synonyms';
    for (const lang of comp.requireNameIn ?? []) {
      const has = entity.language === lang ? entity.name.trim() !== '' : (entity.names?.[lang] ?? []).some((n) => n.trim() !== '');
      if (!has) return 'completeness:name-in-language';
    }
    if (comp.requireAnyOf && comp.requireAnyOf.length > 0) {
      const facets: Record<EntityFacet, boolean> = {
        definition: hasDef,
        synonyms: synonyms > 0,
        icd10: hasIcdXref(entity) || st.hasIcdTriple,
        xrefs: Object.values(entity.xrefs ?? {}).some((c) => c.length > 0),
        translation: st.translationTriples > 0 || Object.entries(entity.names ?? {}).some(([l, ns]) => l !== entity.language && (ns ?? []).length > 0),
      };
      if (!comp.requireAnyOf.some((f) => facets[f])) return 'completeness:any-of';
    }
  }
  return undefined;
}

function result<T>(items: { item: T; reason?: SelectionReason }[]): SelectionResult<T> {
  const selected: T[] = [];
  const rejected: { item: T; reason: SelectionReason }[] = [];
  const reasons: Partial<Record<SelectionReason, number>> = {};
  for (const { item, reason } of items) {
    if (!reason) selected.push(item);
    else {
      rejected.push({ item, reason });
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
  }
  return { selected, rejected, report: { kept: selected.length, dropped: rejected.length, reasons } };
}

/**
 * Select entities by importance and completeness (statistics are computed over `triples`).
 *
 * @param kg - entity lookup.
 * @param entityIds - candidate entities.
 * @param triples - the triple set that defines degree and facts.
 * @param criteria - the filters.
 */
export function selectEntities(
  kg: TranslateKg,
  entityIds: Iterable<string>,
  triples: Iterable<Triple>,
  criteria: SelectionCriteria,
): SelectionResult<string> {
  const stats = entityStats(triples);
  return result([...entityIds].map((id) => ({ item: id, reason: checkEntity(kg.entity(id), stats.get(id), criteria) })));
}

function checkTriple(
  kg: TranslateKg,
  t: Triple,
  stats: Map<string, EntityStats>,
  criteria: SelectionCriteria,
  cache: Map<string, SelectionReason | undefined>,
): SelectionReason | undefined {
  const acc = criteria.accuracy;
  const subject = kg.entity(t.subject);
  const literal = t.objectIsLiteral || t.predicate === 'synonym' || t.predicate === 'definition' || t.predicate === 'translation' || t.predicate === 'icd10_code';
  const object = literal ? undefined : kg.entity(t.object);
  if (acc) {
    if (acc.minAuthority !== undefined && AUTH[t.authority] > AUTH[acc.minAuthority]) return 'accuracy:authority';
    if ((acc.excludeObsolete ?? true) && (subject?.obsolete || object?.obsolete)) return 'accuracy:obsolete';
  }
  const ids = criteria.entities === 'subject-and-object' && !literal ? [t.subject, t.object] : [t.subject];
  for (const id of ids) {
    if (!cache.has(id)) cache.set(id, checkEntity(kg.entity(id), stats.get(id), criteria));
    const r = cache.get(id);
    if (r) return r;
  }
  return undefined;
}

/**
 * Select triples: accuracy on the triple (authority, obsolete entities), importance and completeness on its subject
 * (and entity object with `entities: 'subject-and-object'`). Statistics are computed over the input triples.
 *
 * @param kg - entity lookup.
 * @param triples - the candidate facts.
 * @param criteria - the filters.
 */
export function selectTriples(kg: TranslateKg, triples: Iterable<Triple>, criteria: SelectionCriteria): SelectionResult<Triple> {
  const all = [...triples];
  const stats = entityStats(all);
  const cache = new Map<string, SelectionReason | undefined>();
  return result(all.map((t) => ({ item: t, reason: checkTriple(kg, t, stats, criteria, cache) })));
}

/**
 * Select generated sentences: the triple criteria of {@link selectTriples} on each sentence's triple (statistics
 * over `triples`, default the sentences' own triples), then, with `accuracy.backTranslation`, the rule-based
 * back-translation filter.
 *
 * @param kg - entity lookup.
 * @param sentences - generated sentences.
 * @param criteria - the filters.
 * @param options - the triple set for statistics, and back-translation options.
 */
export function selectSentences<S extends Sentence>(
  kg: TranslateKg,
  sentences: readonly S[],
  criteria: SelectionCriteria,
  options: { triples?: Iterable<Triple>; backTranslation?: Omit<BackTranslationOptions, 'extractor'> } = {},
): SelectionResult<S> {
  const stats = entityStats(options.triples ?? sentences.map((s) => s.triple));
  const cache = new Map<string, SelectionReason | undefined>();
  const checked = sentences.map((s) => ({ item: s, reason: checkTriple(kg, s.triple, stats, criteria, cache) }));
  if (criteria.accuracy?.backTranslation) {
    const candidates = checked.filter((c) => !c.reason).map((c) => c.item);
    const bt = backTranslationFilterSync(kg, candidates, options.backTranslation);
    const droppedSet = new Set<S>(bt.dropped.map((d) => d.sentence));
    for (const c of checked) if (!c.reason && droppedSet.has(c.item)) c.reason = 'accuracy:back-translation';
  }
  return result(checked);
}
