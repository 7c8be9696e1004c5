/**
 * Template-based knowledge translation: one triple → one sentence ("atomic"), and all facts about one entity → an
 * entity card paragraph ("composite").
 *
 * @packageDocumentation
 */
import { TranslateOptionsError } from './errors';
import { hasCjk } from '../cjk';
import { formatIcd10, isIcd10Like } from '../kg/codes';
import type { AuthorityLevel, Entity, Language, Predicate, Triple } from '../kg/types';
import {
  chooseGroupTemplate,
  chooseTemplate,
  formatList,
  languageLabel,
  renderTemplate,
  stripEndPunctuation,
  TEMPLATE_PREDICATES,
  type TemplateValues,
} from './templates';
import type { Paragraph, Sentence, SkipReason, SkippedTriple, TranslateKg, TranslateOptions } from './types';

/** True when `text` contains Chinese characters (the package's one test, {@link hasCjk}). */
export const hasHan: (text: string) => boolean = hasCjk;

function sameName(a: string, b: string): boolean {
  const k = (x: string): string => x.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  return k(a) === k(b);
}

/** A stable key of a triple (subject, predicate, object, source) used to seed per-triple choices. */
export function tripleKey(t: Triple): string {
  return `${t.subject}\u0001${t.predicate}\u0001${t.object}\u0001${t.source}`;
}

/**
 * The name of an entity in `language`: its preferred name when it is in that language, else the first name listed
 * under `names[language]`, else (only when `allowFallback`) its preferred name in its own language.
 *
 * @returns the name, or undefined when there is none in `language` and fallback is off.
 */
export function entityName(entity: Entity, language: Language, allowFallback = false): string | undefined {
  if (entity.language === language && entity.name.trim() !== '') return entity.name.trim();
  const other = entity.names?.[language]?.find((n) => n.trim() !== '');
  if (other) return other.trim();
  return allowFallback && entity.name.trim() !== '' ? entity.name.trim() : undefined;
}

/** The language of a literal object: `objectLanguage` when given, else Chinese when it contains Han characters. */
export function literalLanguage(triple: Triple): Language {
  return triple.objectLanguage ?? (hasHan(triple.object) ? 'zh' : 'en');
}

/**
 * The display form of an ICD-10 code object: `ICD10CM:E11.9`, `e119` and `E11.9` all display as `E11.9`.
 */
export function displayCode(object: string): string {
  const bare = object.includes(':') ? object.slice(object.lastIndexOf(':') + 1) : object;
  return isIcd10Like(bare) ? formatIcd10(bare) : bare.trim();
}

/** Result of resolving the placeholder values of one triple. */
export type ValuesResult = { ok: true; values: TemplateValues } | { ok: false; reason: SkipReason };

/**
 * Resolve the placeholder values (`{s}`, `{o}`, `{lang}`) of a triple in `language`.
 *
 * @param kg - entity lookup.
 * @param triple - the fact.
 * @param language - the output language.
 * @param allowMixed - allow names/literals in the other language (see {@link TranslateOptions.allowMixedLanguage}).
 */
export function tripleValues(kg: TranslateKg, triple: Triple, language: Language, allowMixed = false): ValuesResult {
  const subject = kg.entity(triple.subject);
  if (!subject) return { ok: false, reason: 'unknown-subject' };
  if (triple.object.trim() === '') return { ok: false, reason: 'empty-object' };

  if (triple.predicate === 'translation') {
    const objLang = literalLanguage(triple);
    const otherLang: Language = objLang === 'en' ? 'zh' : 'en';
    const s = entityName(subject, otherLang, true);
    if (!s) return { ok: false, reason: 'no-name-in-language' };
    return { ok: true, values: { s, o: triple.object.trim(), lang: languageLabel(objLang, language) } };
  }

  const s = entityName(subject, language, allowMixed);
  if (!s) return { ok: false, reason: 'no-name-in-language' };

  if (triple.predicate === 'icd10_code') {
    return { ok: true, values: { s, o: displayCode(triple.object) } };
  }
  if (triple.objectIsLiteral || triple.predicate === 'synonym' || triple.predicate === 'definition') {
    if (!allowMixed && literalLanguage(triple) !== language) return { ok: false, reason: 'literal-language-mismatch' };
    const o = triple.predicate === 'definition' ? stripEndPunctuation(triple.object) : triple.object.trim();
    if (o === '') return { ok: false, reason: 'empty-object' };
    // "X is also known as x": a case variant of the name is no synonym worth stating
    if (triple.predicate === 'synonym' && sameName(o, s)) return { ok: false, reason: 'same-name' };
    return { ok: true, values: { s, o } };
  }
  const object = kg.entity(triple.object);
  if (!object) return { ok: false, reason: 'unknown-object' };
  const o = entityName(object, language, allowMixed);
  if (!o) return { ok: false, reason: 'no-name-in-language' };
  // "X is a type of X" (e.g. ICD-10-CM parent and child with the same title) says nothing
  if (sameName(o, s)) return { ok: false, reason: 'same-name' };
  return { ok: true, values: { s, o } };
}

/** Sentences plus the triples that could not be rendered. */
export interface TranslationResult {
  sentences: Sentence[];
  skipped: SkippedTriple[];
}

/**
 * Render each triple as one sentence with a seeded choice of phrasing (see {@link chooseTemplate}); report the
 * triples that cannot be rendered (unknown entities, no name in the output language, …) instead of dropping them
 * silently.
 *
 * @param kg - entity lookup (the `KnowledgeGraph`, or any `{ entity(id) }`).
 * @param triples - the facts.
 * @param options - language, seed and whether mixed-language text is allowed.
 */
export function translateTriplesWithReport(
  kg: TranslateKg,
  triples: Iterable<Triple>,
  options: TranslateOptions,
): TranslationResult {
  checkOptions('translateTriplesWithReport', options);
  const sentences: Sentence[] = [];
  const skipped: SkippedTriple[] = [];
  for (const triple of triples) {
    const r = tripleValues(kg, triple, options.language, options.allowMixedLanguage ?? false);
    if (!r.ok) {
      skipped.push({ triple, reason: r.reason });
      continue;
    }
    const template = chooseTemplate(triple.predicate, options.language, options.seed, tripleKey(triple));
    sentences.push({
      text: renderTemplate(template.pattern, r.values),
      language: options.language,
      triple,
      templateId: template.id,
      source: triple.source,
      authority: triple.authority,
      method: 'template',
      granularity: 'atomic',
    });
  }
  return { sentences, skipped };
}

/**
 * Render each triple as one sentence (see {@link translateTriplesWithReport}; triples that cannot be rendered are
 * left out).
 *
 * @example
 * ```ts
 * translateTriples(kg, kg.triples({ predicate: 'treats' }), { language: 'zh', seed: 1 });
 * // [{ text: '二甲双胍可用于治疗2型糖尿病。', templateId: 'treats.zh.0', ... }]
 * ```
 */
export function translateTriples(kg: TranslateKg, triples: Iterable<Triple>, options: TranslateOptions): Sentence[] {
  return translateTriplesWithReport(kg, triples, options).sentences;
}

const AUTH_ORDER: readonly AuthorityLevel[] = ['A', 'B', 'C', 'D', 'E'];

// The weakest of several authority levels (E is weaker than A).
function weakestAuthorityOf(levels: Iterable<AuthorityLevel>): AuthorityLevel {
  let worst = 0;
  for (const a of levels) worst = Math.max(worst, AUTH_ORDER.indexOf(a));
  return AUTH_ORDER[worst] as AuthorityLevel;
}

/** Options of {@link translateEntityCard}. */
export interface EntityCardOptions extends TranslateOptions {
  /** At most this many objects per section (e.g. symptoms). Default 6. */
  maxPerSection?: number;
}

const DRUG_DISEASE: ReadonlySet<Predicate> = new Set(['treats', 'symptomatic_relief', 'not_indication']);

/**
 * Render everything the triples say about one entity as one paragraph: definition, parents, synonyms, names in
 * other languages, ICD-10 codes, symptoms, and drugs (treats / symptomatic relief / not an indication). A section
 * with one fact uses an atomic template; a section with several lists them in one sentence.
 *
 * Triples about the entity are those with it as subject, plus drug→disease triples with it as object (a
 * disease card lists its drugs). Other triples are ignored, so the caller may pass the whole graph's triples.
 *
 * @returns the paragraph, or undefined when no fact about the entity can be rendered.
 */
export function translateEntityCard(
  kg: TranslateKg,
  entityId: string,
  triples: Iterable<Triple>,
  options: EntityCardOptions,
): Paragraph | undefined {
  checkOptions('translateEntityCard', options);
  const max = options.maxPerSection ?? 6;
  if (!Number.isInteger(max) || max < 1) {
    throw new TranslateOptionsError(`translateEntityCard: options.maxPerSection must be a positive integer, got ${max}`);
  }
  const entity = kg.entity(entityId);
  if (!entity) return undefined;
  const lang = options.language;
  const allowMixed = options.allowMixedLanguage ?? false;
  const cardName = entityName(entity, lang, allowMixed);
  if (!cardName) return undefined;

  // Sections in card order; drug–disease predicates split by the side the entity is on.
  const sections = new Map<string, { triple: Triple; values: TemplateValues; item: string }[]>();
  for (const t of triples) {
    let section: string | undefined;
    if (t.subject === entityId) section = DRUG_DISEASE.has(t.predicate) ? `${t.predicate}:drug` : t.predicate;
    else if (t.object === entityId && !t.objectIsLiteral && DRUG_DISEASE.has(t.predicate)) section = `${t.predicate}:disease`;
    if (!section) continue;
    const r = tripleValues(kg, t, lang, allowMixed);
    if (!r.ok) continue;
    const list = sections.get(section) ?? [];
    if (list.length >= max || (section === 'definition' && list.length >= 1)) continue;
    // the listed item: the object, or the drug for a disease-centred section
    const item = section.endsWith(':disease') ? r.values.s : (r.values.o as string);
    if (list.some((x) => x.item === item)) continue;
    list.push({ triple: t, values: r.values, item });
    sections.set(section, list);
  }

  const parts: string[] = [];
  const used: Triple[] = [];
  const templateIds: string[] = [];
  const order: string[] = [];
  for (const p of TEMPLATE_PREDICATES) {
    if (DRUG_DISEASE.has(p)) order.push(`${p}:disease`, `${p}:drug`);
    else order.push(p);
  }
  for (const section of order) {
    const items = sections.get(section);
    if (!items || items.length === 0) continue;
    if (items.length === 1) {
      const { triple, values } = items[0] as { triple: Triple; values: TemplateValues };
      const tpl = chooseTemplate(triple.predicate, lang, options.seed, tripleKey(triple));
      parts.push(renderTemplate(tpl.pattern, values));
      templateIds.push(tpl.id);
    } else if (section === 'translation') {
      // different languages per item: render each atomically
      for (const { triple, values } of items) {
        const tpl = chooseTemplate(triple.predicate, lang, options.seed, tripleKey(triple));
        parts.push(renderTemplate(tpl.pattern, values));
        templateIds.push(tpl.id);
      }
    } else {
      const g = chooseGroupTemplate(section, lang, options.seed, `${entityId}|${section}`);
      parts.push(renderTemplate(g.pattern, { s: cardName, list: formatList(items.map((x) => x.item), lang) }));
      templateIds.push(g.id);
    }
    used.push(...items.map((x) => x.triple));
  }
  if (parts.length === 0) return undefined;
  return {
    text: parts.join(lang === 'zh' ? '' : ' '),
    language: lang,
    entityId,
    triples: used,
    templateIds,
    sources: [...new Set(used.map((t) => t.source))].sort(),
    authority: weakestAuthorityOf(used.map((t) => t.authority)),
    method: 'template',
    granularity: 'composite',
  };
}

/**
 * Entity cards for many entities at once (triples are indexed once).
 *
 * @param kg - entity lookup.
 * @param entityIds - the entities to describe, in output order.
 * @param triples - the facts (usually the whole graph's).
 * @param options - as for {@link translateEntityCard}.
 * @returns one paragraph per entity that has at least one renderable fact.
 */
export function translateEntityCards(
  kg: TranslateKg,
  entityIds: Iterable<string>,
  triples: Iterable<Triple>,
  options: EntityCardOptions,
): Paragraph[] {
  const byEntity = new Map<string, Triple[]>();
  const push = (id: string, t: Triple): void => {
    const arr = byEntity.get(id);
    if (arr) arr.push(t);
    else byEntity.set(id, [t]);
  };
  for (const t of triples) {
    push(t.subject, t);
    if (!t.objectIsLiteral && DRUG_DISEASE.has(t.predicate) && t.object !== t.subject) push(t.object, t);
  }
  const out: Paragraph[] = [];
  for (const id of entityIds) {
    const p = translateEntityCard(kg, id, byEntity.get(id) ?? [], options);
    if (p) out.push(p);
  }
  return out;
}

function checkOptions(fn: string, options: TranslateOptions): void {
  if (!options || (options.language !== 'en' && options.language !== 'zh')) {
    throw new TranslateOptionsError(`${fn}: options.language must be 'en' or 'zh', got ${JSON.stringify(options?.language)}`);
  }
  if (typeof options.seed !== 'number' || !Number.isFinite(options.seed)) {
    throw new TranslateOptionsError(`${fn}: options.seed must be a finite number, got ${String(options.seed)}`);
  }
}
