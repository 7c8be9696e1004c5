/**
 * A cached, id-based view of a knowledge graph for task generation: hierarchy neighbours, triples indexed by
 * predicate/subject/object, names per language and fact keys.
 *
 * @packageDocumentation
 */
import { TaskError } from './errors';
import type { AuthorityLevel, Entity, EntityKind, Language, Predicate, Triple } from '../kg/types';
import { breadthFirst } from '../kg/walk';
import type { TaskGraphSource } from './graph-source';

/** Stable key of a fact: `subject|predicate|object`. */
export function factKey(t: { subject: string; predicate: string; object: string }): string {
  return `${t.subject}|${t.predicate}|${t.object}`;
}

/** Parses a {@link factKey} back into its parts. */
export function parseFactKey(key: string): { subject: string; predicate: string; object: string } {
  const i = key.indexOf('|');
  const j = key.indexOf('|', i + 1);
  if (i < 0 || j < 0) throw new TaskError(`parseFactKey: key must look like "subject|predicate|object", got "${key}"`);
  return { subject: key.slice(0, i), predicate: key.slice(i + 1, j), object: key.slice(j + 1) };
}

const AUTH_ORDER: AuthorityLevel[] = ['A', 'B', 'C', 'D', 'E'];

/** The weakest (latest letter) authority among `levels`; `'A'` when empty. */
export function weakestAuthority(levels: Iterable<AuthorityLevel>): AuthorityLevel {
  let worst = 0;
  for (const l of levels) worst = Math.max(worst, AUTH_ORDER.indexOf(l));
  return AUTH_ORDER[worst] as AuthorityLevel;
}

function toId(x: string | Entity): string {
  return typeof x === 'string' ? x : x.id;
}

interface PredicateIndex {
  all: Triple[];
  bySubject: Map<string, Triple[]>;
  byObject: Map<string, Triple[]>;
}

/** Read-only cached view over a {@link TaskGraphSource}. All lists are sorted for determinism. */
export class GraphView {
  private readonly idx = new Map<Predicate, PredicateIndex>();
  private readonly kindCache = new Map<string, Entity[]>();
  private readonly parentCache = new Map<string, string[]>();
  private readonly childCache = new Map<string, string[]>();

  /** @param source - the knowledge graph (or any object with the same read methods). */
  constructor(readonly source: TaskGraphSource) {}

  /** The entity with `id`, or `undefined`. */
  entity(id: string): Entity | undefined {
    return this.source.entity(id);
  }

  /** Non-obsolete entities of `kind` (all kinds when omitted), sorted by id. */
  entities(kind?: EntityKind): Entity[] {
    const key = kind ?? '*';
    let xs = this.kindCache.get(key);
    if (!xs) {
      xs = [...this.source.entities(kind)].filter((e) => !e.obsolete && (kind === undefined || e.kind === kind));
      xs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.kindCache.set(key, xs);
    }
    return xs;
  }

  /** Direct is_a parents of `id`, sorted. */
  parents(id: string): string[] {
    let p = this.parentCache.get(id);
    if (!p) {
      p = [...new Set(this.source.parents(id).map(toId))].sort();
      this.parentCache.set(id, p);
    }
    return p;
  }

  /** Direct is_a children of `id`, sorted, without obsolete entities. */
  children(id: string): string[] {
    let c = this.childCache.get(id);
    if (!c) {
      c = [...new Set(this.source.children(id).map(toId))].filter((x) => !this.entity(x)?.obsolete).sort();
      this.childCache.set(id, c);
    }
    return c;
  }

  /** Entities sharing a direct parent with `id` (not `id` itself), sorted. */
  siblings(id: string): string[] {
    const out = new Set<string>();
    for (const p of this.parents(id)) for (const c of this.children(p)) if (c !== id) out.add(c);
    return [...out].sort();
  }

  /** Children of the siblings of `id`'s parents ("cousins"), excluding `id` and its siblings, sorted. */
  cousins(id: string): string[] {
    const sib = new Set(this.siblings(id));
    const out = new Set<string>();
    for (const p of this.parents(id)) {
      for (const ps of this.siblings(p)) {
        for (const c of this.children(ps)) if (c !== id && !sib.has(c)) out.add(c);
      }
    }
    return [...out].sort();
  }

  /** All is_a ancestors of `id` (breadth-first, nearest first, cycle-safe). */
  ancestors(id: string, maxDepth = Infinity): string[] {
    return breadthFirst(id, (x) => this.parents(x), maxDepth);
  }

  /** All is_a descendants of `id` (breadth-first, cycle-safe). */
  descendants(id: string, maxDepth = Infinity): string[] {
    return breadthFirst(id, (x) => this.children(x), maxDepth);
  }

  /** Drug → disease indication triples (`treats` and `symptomatic_relief`) whose object is `disease`. */
  indications(disease: string): Triple[] {
    return [...this.in(disease, 'treats'), ...this.in(disease, 'symptomatic_relief')];
  }

  private index(predicate: Predicate): PredicateIndex {
    let ix = this.idx.get(predicate);
    if (!ix) {
      const all = [...this.source.triples({ predicate })].filter((t) => t.predicate === predicate);
      all.sort((a, b) => (factKey(a) < factKey(b) ? -1 : factKey(a) > factKey(b) ? 1 : 0));
      const bySubject = new Map<string, Triple[]>();
      const byObject = new Map<string, Triple[]>();
      for (const t of all) {
        let s = bySubject.get(t.subject);
        if (!s) bySubject.set(t.subject, (s = []));
        s.push(t);
        let o = byObject.get(t.object);
        if (!o) byObject.set(t.object, (o = []));
        o.push(t);
      }
      ix = { all, bySubject, byObject };
      this.idx.set(predicate, ix);
    }
    return ix;
  }

  /** All triples with `predicate`, sorted by fact key. */
  triples(predicate: Predicate): Triple[] {
    return this.index(predicate).all;
  }

  /** Triples `subject predicate *`. */
  out(subject: string, predicate: Predicate): Triple[] {
    return this.index(predicate).bySubject.get(subject) ?? [];
  }

  /** Triples `subject predicate *` whose object has a name in `language` (so it can be written in that language). */
  namedOut(subject: string, predicate: Predicate, language: Language): Triple[] {
    return this.out(subject, predicate).filter((t) => Boolean(this.name(t.object, language)));
  }

  /** Triples `* predicate object`. */
  in(object: string, predicate: Predicate): Triple[] {
    return this.index(predicate).byObject.get(object) ?? [];
  }

  /** Subjects having at least one `predicate` triple, sorted. */
  subjectsWith(predicate: Predicate): string[] {
    return [...this.index(predicate).bySubject.keys()].sort();
  }

  /** Objects of at least one `predicate` triple, sorted. */
  objectsWith(predicate: Predicate): string[] {
    return [...this.index(predicate).byObject.keys()].sort();
  }

  /** The `is_a` triple `child is_a parent` if the graph has one as a triple, else a synthesized one. */
  isaTriple(child: string, parent: string): Triple {
    const t = this.out(child, 'is_a').find((x) => x.object === parent);
    return t ?? { subject: child, predicate: 'is_a', object: parent, source: 'hierarchy', authority: 'A' };
  }

  /** Preferred name of `id` in `language`, or `undefined` when the entity has none in that language. */
  name(id: string, language: Language): string | undefined {
    const e = this.entity(id);
    if (!e) return undefined;
    if (e.language === language && e.name) return e.name;
    const names = e.names?.[language];
    if (names && names.length > 0) return names[0];
    // Literal translation triples (entity → name in another language).
    const tr = this.out(id, 'translation').find((t) => t.objectLanguage === language);
    return tr?.object;
  }

  /**
   * Synonyms of `id` in `language` (excluding the preferred name), de-duplicated, in source order: the entity's
   * synonyms when it is in `language`, plus `synonym` triples whose object language is `language`.
   */
  synonyms(id: string, language: Language): string[] {
    const e = this.entity(id);
    if (!e) return [];
    const pref = this.name(id, language);
    const out: string[] = [];
    // Only same-language synonyms and explicitly tagged synonym triples: further other-language names
    // (`names.zh[1..]`) may come from cross-referenced codes and are not reliable synonyms.
    if (e.language === language) out.push(...e.synonyms);
    for (const t of this.out(id, 'synonym')) {
      if ((t.objectLanguage ?? e.language) === language) out.push(t.object);
    }
    const seen = new Set<string>();
    return out.filter((s) => {
      const k = s.toLowerCase();
      if (!s || s === pref || k === pref?.toLowerCase() || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  /** Every name (preferred and synonyms, all languages) of `id`, lower-cased. */
  allNames(id: string): string[] {
    const e = this.entity(id);
    if (!e) return [];
    const out = new Set<string>([e.name.toLowerCase(), ...e.synonyms.map((s) => s.toLowerCase())]);
    for (const ns of Object.values(e.names ?? {})) for (const n of ns ?? []) out.add(n.toLowerCase());
    return [...out].filter((s) => s.length > 0);
  }

  /**
   * ICD-10(-CM) codes of `id`: `icd10_code` triples first, then `ICD10CM`/`ICD10` cross-references; malformed
   * codes and ranges are skipped.
   */
  icd10Codes(id: string): { code: string; triple: Triple }[] {
    const out: { code: string; triple: Triple }[] = [];
    const seen = new Set<string>();
    for (const t of this.out(id, 'icd10_code')) {
      const code = stripCodePrefix(t.object);
      if (!ICD10_RE.test(code)) continue;
      if (!seen.has(code)) {
        seen.add(code);
        out.push({ code, triple: t });
      }
    }
    const e = this.entity(id);
    for (const sys of ['ICD10CM', 'ICD10']) {
      for (const raw of e?.xrefs[sys] ?? []) {
        const code = stripCodePrefix(raw);
        if (!ICD10_RE.test(code)) continue;
        if (!seen.has(code)) {
          seen.add(code);
          out.push({
            code,
            triple: { subject: id, predicate: 'icd10_code', object: code, objectIsLiteral: true, source: 'xref', authority: 'A' },
          });
        }
      }
    }
    return out;
  }
}

/** A well-formed ICD-10(-CM) code in dotted form (ranges such as `I60-I69` are not codes). */
const ICD10_RE = /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/;

/** `ICD10CM:E11.9` → `E11.9`. */
export function stripCodePrefix(code: string): string {
  return code.replace(/^ICD-?10(-?CM)?:/i, '').trim();
}
