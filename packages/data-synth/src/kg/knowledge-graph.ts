/**
 * An in-memory medical knowledge graph: entities and subject–predicate–object triples with provenance, indexed
 * for the queries the template, task and verifier code needs (hierarchy, names, synonyms, cross-references).
 *
 * @packageDocumentation
 */
import { KnowledgeGraphError } from './errors';
import { normalizeCode, normalizeSystem, ICD10_SYSTEMS, formatIcd10, isIcd10Like } from './codes';
import type { AuthorityLevel, Entity, EntityKind, Language, Predicate, Triple } from './types';
import { breadthFirst } from './walk';

/** All predicates the graph accepts. */
export const PREDICATES: readonly Predicate[] = [
  'is_a',
  'synonym',
  'icd10_code',
  'has_symptom',
  'treats',
  'symptomatic_relief',
  'not_indication',
  'definition',
  'translation',
];
const PREDICATE_SET: ReadonlySet<string> = new Set(PREDICATES);

/** True when `p` is a known {@link Predicate}. */
export function isPredicate(p: string): p is Predicate {
  return PREDICATE_SET.has(p);
}

const AUTHORITY_RANK: Record<AuthorityLevel, number> = { A: 0, B: 1, C: 2, D: 3, E: 4 };
/** True when `a` is a valid {@link AuthorityLevel}. */
export function isAuthority(a: string): a is AuthorityLevel {
  return a in AUTHORITY_RANK;
}

/** Filter for {@link KnowledgeGraph.triples}; every given field must match. */
export interface TripleFilter {
  subject?: string;
  predicate?: Predicate | readonly Predicate[];
  object?: string;
  source?: string;
  /** Exactly this authority. */
  authority?: AuthorityLevel;
  /** This authority or better (`'B'` keeps A and B). */
  minAuthority?: AuthorityLevel;
}

/** Counts returned by {@link KnowledgeGraph.stats}. */
export interface KgStats {
  entities: number;
  triples: number;
  entitiesByKind: Record<string, number>;
  triplesByPredicate: Record<string, number>;
  triplesBySource: Record<string, number>;
  triplesByAuthority: Record<string, number>;
}

/** Lower-cased, trimmed, whitespace-collapsed key for name lookups. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function pushIndex<V>(m: Map<string, V[]>, k: string, v: V): void {
  const arr = m.get(k);
  if (arr) arr.push(v);
  else m.set(k, [v]);
}

function addUnique(arr: string[], v: string): boolean {
  if (arr.includes(v)) return false;
  arr.push(v);
  return true;
}

/**
 * The knowledge graph. Entities are merged by id (names, synonyms and cross-references are unioned); triples are
 * de-duplicated on (subject, predicate, object, source). `is_a` triples between entities form the hierarchy used
 * for ancestors and sibling distractors.
 */
export class KnowledgeGraph {
  private readonly ents = new Map<string, Entity>();
  private readonly aliases = new Map<string, string>();
  private readonly all: Triple[] = [];
  private readonly keys = new Set<string>();
  private readonly bySubj = new Map<string, Triple[]>();
  private readonly byObj = new Map<string, Triple[]>();
  private readonly byPred = new Map<string, Triple[]>();
  private readonly nameIdx = new Map<string, string[]>();
  private readonly synIdx = new Map<string, string[]>();
  private readonly xrefIdx = new Map<string, string[]>();

  /** Number of entities. */
  get size(): number {
    return this.ents.size;
  }

  /** Number of triples. */
  get tripleCount(): number {
    return this.all.length;
  }

  /**
   * Add an entity, or merge it into the existing one with the same id: the first non-empty name and definition
   * win, synonyms, other-language names and cross-references are unioned, `obsolete` is kept if either says so.
   *
   * @param entity - the entity (it is copied; later changes to the argument do not affect the graph).
   * @returns the stored entity.
   */
  addEntity(entity: Entity): Entity {
    if (!entity || typeof entity.id !== 'string' || entity.id.trim() === '') {
      throw new KnowledgeGraphError(`addEntity: entity.id must be a non-empty string, got ${JSON.stringify(entity?.id)}`);
    }
    const id = this.aliases.get(entity.id) ?? entity.id;
    let e = this.ents.get(id);
    if (!e) {
      e = { id, kind: entity.kind, name: '', language: entity.language, synonyms: [], xrefs: {} };
      this.ents.set(id, e);
    } else if (e.kind === 'other' && entity.kind !== 'other') {
      e.kind = entity.kind;
    }
    if (!e.name && entity.name) {
      e.name = entity.name;
      e.language = entity.language;
      pushIndex(this.nameIdx, nameKey(entity.name), id);
    } else if (entity.name && nameKey(entity.name) !== nameKey(e.name)) {
      // A different preferred name from another source: keep it as a synonym (same language) or other-language name.
      if (entity.language === e.language) this.addSynonymTo(e, entity.name);
      else this.addNameTo(e, entity.language, entity.name);
    }
    for (const s of entity.synonyms ?? []) this.addSynonymTo(e, s);
    for (const [lang, names] of Object.entries(entity.names ?? {}) as [Language, string[]][]) {
      for (const n of names) this.addNameTo(e, lang, n);
    }
    for (const [sys, codes] of Object.entries(entity.xrefs ?? {})) {
      for (const c of codes) this.addXref(id, sys, c);
    }
    if (entity.definition && !e.definition) e.definition = entity.definition;
    if (entity.obsolete) e.obsolete = true;
    if (entity.attributes) e.attributes = { ...(e.attributes ?? {}), ...entity.attributes };
    return e;
  }

  /** Make `alias` (e.g. an OBO `alt_id`) resolve to `id` in {@link entity} and later additions. */
  addAlias(alias: string, id: string): void {
    if (alias !== id) this.aliases.set(alias, id);
  }

  /** Resolve an alias to its canonical id (identity for canonical ids and unknown ids). */
  resolve(id: string): string {
    return this.aliases.get(id) ?? id;
  }

  /**
   * Add a synonym to an existing entity.
   *
   * @returns false when the entity does not exist.
   */
  addSynonym(id: string, synonym: string): boolean {
    const e = this.ents.get(this.resolve(id));
    if (!e) return false;
    this.addSynonymTo(e, synonym);
    return true;
  }

  /**
   * Add a name in another language (e.g. Chinese) to an existing entity.
   *
   * @returns false when the entity does not exist.
   */
  addName(id: string, language: Language, name: string): boolean {
    const e = this.ents.get(this.resolve(id));
    if (!e) return false;
    this.addNameTo(e, language, name);
    return true;
  }

  /**
   * Add a cross-reference `system:code` to an existing entity. ICD-10 codes are stored in dotted form (`E11.9`).
   *
   * @returns false when the entity does not exist.
   */
  addXref(id: string, system: string, code: string): boolean {
    const e = this.ents.get(this.resolve(id));
    if (!e) return false;
    const sys = normalizeSystem(system);
    const stored = ICD10_SYSTEMS.has(sys) && isIcd10Like(code) ? formatIcd10(code) : code.trim();
    const list = (e.xrefs[sys] ??= []);
    if (addUnique(list, stored)) pushIndex(this.xrefIdx, `${sys}\u0000${normalizeCode(sys, code)}`, e.id);
    return true;
  }

  private addSynonymTo(e: Entity, s: string): void {
    const t = s.trim();
    if (!t || nameKey(t) === nameKey(e.name)) return;
    if (addUnique(e.synonyms, t)) pushIndex(this.synIdx, nameKey(t), e.id);
  }

  private addNameTo(e: Entity, lang: Language, n: string): void {
    const t = n.trim();
    if (!t) return;
    const names = (e.names ??= {});
    const list = (names[lang] ??= []);
    if (addUnique(list, t)) pushIndex(this.nameIdx, nameKey(t), e.id);
  }

  /**
   * Add a triple (de-duplicated on subject, predicate, object and source). Subjects and entity objects that are
   * aliases are resolved to their canonical ids.
   *
   * @returns true when it was new.
   * @throws KnowledgeGraphError for an unknown predicate or authority, or an empty subject/object.
   */
  addTriple(triple: Triple): boolean {
    if (!isPredicate(triple.predicate)) {
      throw new KnowledgeGraphError(`addTriple: unknown predicate ${JSON.stringify(triple.predicate)}`);
    }
    if (!isAuthority(triple.authority)) {
      throw new KnowledgeGraphError(`addTriple: authority must be one of A–E, got ${JSON.stringify(triple.authority)}`);
    }
    if (!triple.subject || !triple.object) {
      throw new KnowledgeGraphError(`addTriple: subject and object must be non-empty (got ${JSON.stringify(triple.subject)}, ${JSON.stringify(triple.object)})`);
    }
    const t: Triple = { ...triple, subject: this.resolve(triple.subject) };
    if (!t.objectIsLiteral) t.object = this.resolve(t.object);
    const key = `${t.subject}\u0000${t.predicate}\u0000${t.object}\u0000${t.source}`;
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    this.all.push(t);
    pushIndex(this.bySubj, t.subject, t);
    if (!t.objectIsLiteral) pushIndex(this.byObj, t.object, t);
    pushIndex(this.byPred, t.predicate, t);
    return true;
  }

  /** Whether an entity (or alias) exists. */
  has(id: string): boolean {
    return this.ents.has(this.resolve(id));
  }

  /** The entity with this id (aliases resolved), or undefined. */
  entity(id: string): Entity | undefined {
    return this.ents.get(this.resolve(id));
  }

  /** All entities, or those of one kind, in insertion order. */
  entities(kind?: EntityKind): Entity[] {
    const out: Entity[] = [];
    for (const e of this.ents.values()) if (!kind || e.kind === kind) out.push(e);
    return out;
  }

  /** Triples matching every field of `filter` (all triples when empty), in insertion order. */
  triples(filter: TripleFilter = {}): Triple[] {
    const preds = filter.predicate === undefined ? undefined : typeof filter.predicate === 'string' ? [filter.predicate] : filter.predicate;
    let base: readonly Triple[];
    if (filter.subject !== undefined) base = this.bySubj.get(this.resolve(filter.subject)) ?? [];
    else if (filter.object !== undefined) base = this.byObj.get(this.resolve(filter.object)) ?? this.literalObject(filter.object);
    else if (preds && preds.length === 1) base = this.byPred.get(preds[0] as string) ?? [];
    else base = this.all;
    const obj = filter.object === undefined ? undefined : this.resolve(filter.object);
    const min = filter.minAuthority === undefined ? undefined : AUTHORITY_RANK[filter.minAuthority];
    return base.filter(
      (t) =>
        (filter.subject === undefined || t.subject === this.resolve(filter.subject)) &&
        (obj === undefined || t.object === obj || t.object === filter.object) &&
        (!preds || preds.includes(t.predicate)) &&
        (filter.source === undefined || t.source === filter.source) &&
        (filter.authority === undefined || t.authority === filter.authority) &&
        (min === undefined || AUTHORITY_RANK[t.authority] <= min),
    );
  }

  private literalObject(o: string): Triple[] {
    return this.all.filter((t) => t.objectIsLiteral && t.object === o);
  }

  /** Ids of the direct `is_a` parents of `id`. */
  parents(id: string): string[] {
    const out: string[] = [];
    for (const t of this.bySubj.get(this.resolve(id)) ?? []) {
      if (t.predicate === 'is_a' && !t.objectIsLiteral && !out.includes(t.object)) out.push(t.object);
    }
    return out;
  }

  /** Ids of the direct `is_a` children of `id`. */
  children(id: string): string[] {
    const out: string[] = [];
    for (const t of this.byObj.get(this.resolve(id)) ?? []) {
      if (t.predicate === 'is_a' && !out.includes(t.subject)) out.push(t.subject);
    }
    return out;
  }

  /**
   * All `is_a` ancestors of `id`, nearest first (breadth-first; cycles are tolerated).
   *
   * @param maxDepth - stop after this many levels (default unlimited).
   */
  ancestors(id: string, maxDepth = Infinity): string[] {
    return breadthFirst(this.resolve(id), (n) => this.parents(n), maxDepth);
  }

  /** All `is_a` descendants of `id` (breadth-first). */
  descendants(id: string, maxDepth = Infinity): string[] {
    return breadthFirst(this.resolve(id), (n) => this.children(n), maxDepth);
  }

  /**
   * Siblings of `id`: other children of its parents (excluding `id` itself), the natural plausible distractors
   * for multiple-choice questions.
   *
   * @param opts.sameKind - keep only siblings of the same entity kind (default true).
   */
  siblings(id: string, opts: { sameKind?: boolean } = {}): string[] {
    const self = this.resolve(id);
    const kind = this.ents.get(self)?.kind;
    const sameKind = opts.sameKind ?? true;
    const out: string[] = [];
    for (const p of this.parents(self)) {
      for (const c of this.children(p)) {
        if (c === self || out.includes(c)) continue;
        if (sameKind && kind !== undefined && this.ents.get(c)?.kind !== kind) continue;
        out.push(c);
      }
    }
    return out;
  }

  /** Entities whose preferred name (or other-language name) equals `name`, case-insensitively. */
  byName(name: string): Entity[] {
    return this.lookup(this.nameIdx, nameKey(name));
  }

  /** Entities that have `name` as a synonym, case-insensitively. */
  bySynonym(name: string): Entity[] {
    return this.lookup(this.synIdx, nameKey(name));
  }

  /** Entities matching `name` as a name first, then as a synonym (de-duplicated). */
  findByName(name: string): Entity[] {
    const out = this.byName(name);
    for (const e of this.bySynonym(name)) if (!out.includes(e)) out.push(e);
    return out;
  }

  /**
   * Entities cross-referenced to `system:code`. ICD-10 codes are compared without the dot
   * (`byXref('ICD10CM', 'E119')` finds an entity with xref `ICD10CM:E11.9`).
   */
  byXref(system: string, code: string): Entity[] {
    return this.lookup(this.xrefIdx, `${normalizeSystem(system)}\u0000${normalizeCode(system, code)}`);
  }

  private lookup(idx: Map<string, string[]>, key: string): Entity[] {
    const out: Entity[] = [];
    for (const id of idx.get(key) ?? []) {
      const e = this.ents.get(id);
      if (e && !out.includes(e)) out.push(e);
    }
    return out;
  }

  /** Counts of entities and triples by kind, predicate, source and authority. */
  stats(): KgStats {
    const entitiesByKind: Record<string, number> = {};
    for (const e of this.ents.values()) entitiesByKind[e.kind] = (entitiesByKind[e.kind] ?? 0) + 1;
    const triplesByPredicate: Record<string, number> = {};
    const triplesBySource: Record<string, number> = {};
    const triplesByAuthority: Record<string, number> = {};
    for (const t of this.all) {
      triplesByPredicate[t.predicate] = (triplesByPredicate[t.predicate] ?? 0) + 1;
      triplesBySource[t.source] = (triplesBySource[t.source] ?? 0) + 1;
      triplesByAuthority[t.authority] = (triplesByAuthority[t.authority] ?? 0) + 1;
    }
    return {
      entities: this.ents.size,
      triples: this.all.length,
      entitiesByKind,
      triplesByPredicate,
      triplesBySource,
      triplesByAuthority,
    };
  }
}
