/**
 * Streaming OBO 1.2/1.4 parser (Disease Ontology, Symptom Ontology) and loader into a {@link KnowledgeGraph}.
 *
 * Reads `[Term]` stanzas line by line (`readline`), so memory is bounded by one stanza plus what the caller keeps.
 * Understood tags: `id`, `name`, `def`, `synonym` (EXACT / RELATED / NARROW / BROAD, also the OBO 1.0
 * `exact_synonym:` forms), `xref`, `is_a`, `alt_id`, `is_obsolete`, `relationship`, `replaced_by`, `subset`,
 * `comment`. Trailing `! comments` and `{modifiers}` are stripped. Malformed lines become {@link LoadIssue}s.
 *
 * @packageDocumentation
 */
import { IssueCollector, type IssueOptions } from './errors';
import { formatIcd10, isIcd10Like, normalizeSystem } from './codes';
import type { KnowledgeGraph } from './knowledge-graph';
import { inputBaseName, inputLabel, readLines, type LineInput } from './lines';
import type { AuthorityLevel, EntityKind, LoadIssue } from './types';

/** Scope of an OBO synonym. */
export type SynonymScope = 'EXACT' | 'RELATED' | 'NARROW' | 'BROAD';
const SCOPES: ReadonlySet<string> = new Set(['EXACT', 'RELATED', 'NARROW', 'BROAD']);

/** One synonym of a term. */
export interface OboSynonym {
  text: string;
  scope: SynonymScope;
  /** Optional synonym type name (e.g. `ABBREVIATION`). */
  type?: string;
  xrefs: string[];
}

/** A cross-reference `system:code` of a term. */
export interface OboXref {
  system: string;
  code: string;
}

/** One parsed `[Term]` stanza. */
export interface OboTerm {
  id: string;
  name?: string;
  def?: string;
  defXrefs: string[];
  synonyms: OboSynonym[];
  xrefs: OboXref[];
  isA: string[];
  altIds: string[];
  relationships: { type: string; target: string }[];
  subsets: string[];
  comment?: string;
  replacedBy: string[];
  obsolete: boolean;
  /** 1-based line of the `[Term]` header. */
  line: number;
}

/** Parse an OBO quoted string starting at `s[i] === '"'`; returns the unescaped value and the index after it. */
function readQuoted(s: string, i: number): { value: string; end: number } | undefined {
  if (s[i] !== '"') return undefined;
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j] as string;
    if (c === '\\' && j + 1 < s.length) {
      const n = s[j + 1] as string;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      j++;
    } else if (c === '"') {
      return { value: out, end: j + 1 };
    } else {
      out += c;
    }
  }
  return undefined;
}

/** Strip a trailing `! comment` (an unescaped `!` after whitespace) and a trailing `{modifiers}` block. */
function stripTrailing(v: string): string {
  let s = v;
  const bang = s.search(/(^|[^\\])\s!(\s|$)/);
  if (bang >= 0) s = s.slice(0, bang + 1);
  s = s.trim();
  if (s.endsWith('}')) {
    const open = s.lastIndexOf('{');
    if (open > 0) s = s.slice(0, open).trim();
  }
  return s.replace(/\\(.)/g, '$1');
}

/** Parse a bracketed xref list `[a, b]` at the start of `rest` (after whitespace). */
function readXrefList(rest: string): string[] | undefined {
  const r = rest.trim();
  if (!r.startsWith('[')) return undefined;
  const close = r.indexOf(']');
  if (close < 0) return undefined;
  const inner = r.slice(1, close).trim();
  if (!inner) return [];
  return inner.split(/,\s*/).map((x) => x.replace(/\\(.)/g, '$1').trim()).filter(Boolean);
}

const OLD_SYNONYM_TAGS: Record<string, SynonymScope> = {
  exact_synonym: 'EXACT',
  related_synonym: 'RELATED',
  narrow_synonym: 'NARROW',
  broad_synonym: 'BROAD',
};

function newTerm(line: number): OboTerm {
  return { id: '', defXrefs: [], synonyms: [], xrefs: [], isA: [], altIds: [], relationships: [], subsets: [], replacedBy: [], obsolete: false, line };
}

/**
 * Stream the `[Term]` stanzas of an OBO file. Other stanzas (`[Typedef]`, `[Instance]`) and header tags are
 * skipped; malformed lines are reported to `issues` (or thrown in strict mode) and the rest of the term is kept.
 * Terms without an `id` are reported and not yielded.
 *
 * @param input - text, lines or bytes (see {@link LineInput}).
 * @param issues - where malformed lines are reported.
 */
export async function* readOboTerms(input: LineInput, issues: IssueCollector): AsyncGenerator<OboTerm> {
  let term: OboTerm | undefined;
  let inOther = false;
  const finish = (): OboTerm | undefined => {
    const t = term;
    term = undefined;
    if (!t) return undefined;
    if (!t.id) {
      issues.report(t.line, '[Term] stanza has no id: tag');
      return undefined;
    }
    return t;
  };
  for await (const { line, text } of readLines(input, issues.file)) {
    const s = text.trim();
    if (s === '' || s.startsWith('!')) continue;
    if (s.startsWith('[')) {
      const done = finish();
      if (done) yield done;
      const m = /^\[([A-Za-z]+)\]$/.exec(s);
      if (!m) {
        issues.report(line, `malformed stanza header ${JSON.stringify(s)}`);
        inOther = true;
        continue;
      }
      if (m[1] === 'Term') {
        term = newTerm(line);
        inOther = false;
      } else {
        inOther = true;
      }
      continue;
    }
    const colon = s.indexOf(':');
    if (colon <= 0) {
      issues.report(line, `expected "tag: value", got ${JSON.stringify(s.slice(0, 60))}`);
      continue;
    }
    if (!term || inOther) continue; // header or non-Term stanza: ignore tag
    const tag = s.slice(0, colon).trim();
    const value = s.slice(colon + 1).trim();
    parseTag(term, tag, value, line, issues);
  }
  const done = finish();
  if (done) yield done;
}

function parseTag(term: OboTerm, tag: string, value: string, line: number, issues: IssueCollector): void {
  switch (tag) {
    case 'id': {
      const v = stripTrailing(value);
      if (term.id) issues.report(line, `second id: tag in term ${term.id} (${v})`);
      else if (!v) issues.report(line, 'empty id: tag');
      else term.id = v;
      return;
    }
    case 'name': {
      const v = stripTrailing(value);
      if (term.name !== undefined) issues.report(line, `second name: tag in term ${term.id || '?'}`);
      else if (!v) issues.report(line, `empty name: tag in term ${term.id || '?'}`);
      else term.name = v;
      return;
    }
    case 'def': {
      const q = readQuoted(value, 0);
      if (!q) {
        issues.report(line, `def: value must be a quoted string, got ${JSON.stringify(value.slice(0, 60))}`);
        return;
      }
      term.def = q.value;
      term.defXrefs = readXrefList(value.slice(q.end)) ?? [];
      return;
    }
    case 'synonym':
    case 'exact_synonym':
    case 'related_synonym':
    case 'narrow_synonym':
    case 'broad_synonym': {
      const q = readQuoted(value, 0);
      if (!q) {
        issues.report(line, `${tag}: value must start with a quoted string, got ${JSON.stringify(value.slice(0, 60))}`);
        return;
      }
      if (!q.value.trim()) {
        issues.report(line, `${tag}: empty synonym text`);
        return;
      }
      let rest = value.slice(q.end).trim();
      let scope: SynonymScope;
      let type: string | undefined;
      const oldScope = OLD_SYNONYM_TAGS[tag];
      if (oldScope) {
        scope = oldScope;
      } else {
        const m = /^([A-Za-z_]+)\b\s*/.exec(rest);
        const sc = m?.[1];
        if (!m || !sc || !SCOPES.has(sc)) {
          issues.report(line, `synonym scope must be EXACT, RELATED, NARROW or BROAD, got ${JSON.stringify(rest.split(/\s/)[0] ?? '')}`);
          return;
        }
        scope = sc as SynonymScope;
        rest = rest.slice(m[0].length);
        const tm = /^([^\s[]+)\s*/.exec(rest);
        if (tm && tm[1]) {
          type = tm[1];
          rest = rest.slice(tm[0].length);
        }
      }
      const xrefs = readXrefList(rest) ?? [];
      term.synonyms.push(type ? { text: q.value.trim(), scope, type, xrefs } : { text: q.value.trim(), scope, xrefs });
      return;
    }
    case 'xref': {
      let v = value;
      const qi = v.indexOf(' "');
      if (qi > 0) v = v.slice(0, qi); // drop the optional quoted description
      v = stripTrailing(v);
      const c = v.indexOf(':');
      if (c <= 0 || c === v.length - 1) {
        issues.report(line, `xref: expected SYSTEM:CODE, got ${JSON.stringify(v)}`);
        return;
      }
      term.xrefs.push({ system: v.slice(0, c), code: v.slice(c + 1).trim() });
      return;
    }
    case 'is_a': {
      const v = stripTrailing(value).split(/\s+/)[0] ?? '';
      if (!v) issues.report(line, `is_a: empty value in term ${term.id || '?'}`);
      else term.isA.push(v);
      return;
    }
    case 'alt_id': {
      const v = stripTrailing(value);
      if (v) term.altIds.push(v);
      return;
    }
    case 'relationship': {
      const parts = stripTrailing(value).split(/\s+/);
      if (parts.length < 2 || !parts[0] || !parts[1]) {
        issues.report(line, `relationship: expected "TYPE TARGET", got ${JSON.stringify(value)}`);
        return;
      }
      term.relationships.push({ type: parts[0], target: parts[1] });
      return;
    }
    case 'is_obsolete': {
      const v = stripTrailing(value);
      if (v !== 'true' && v !== 'false') issues.report(line, `is_obsolete: expected true or false, got ${JSON.stringify(v)}`);
      else term.obsolete = v === 'true';
      return;
    }
    case 'subset':
      term.subsets.push(stripTrailing(value));
      return;
    case 'comment':
      term.comment = stripTrailing(value);
      return;
    case 'replaced_by':
      term.replacedBy.push(stripTrailing(value));
      return;
    default:
      return; // other tags (created_by, creation_date, intersection_of, ...) are not needed
  }
}

/** What a loader added, and the problems it found. */
export interface LoadResult {
  /** Source label used in the triples. */
  source: string;
  entities: number;
  triples: number;
  /** Records deliberately skipped (e.g. obsolete terms), not errors. */
  skipped: number;
  issues: LoadIssue[];
}

/** Options of {@link loadObo}. */
export interface OboLoadOptions extends IssueOptions {
  /** Source label of the triples (default: the file's base name, or `'obo'`). */
  source?: string;
  /** Authority of the triples (default `'A'`). */
  authority?: AuthorityLevel;
  /** Entity kind (default from the id prefix: DOID → disease, SYMP → symptom, otherwise other). */
  kind?: EntityKind;
  /** Which synonym scopes become entity synonyms and `synonym` triples (default EXACT and RELATED). */
  synonymScopes?: readonly SynonymScope[];
  /** Also load obsolete terms, marked `obsolete` (default false: they are skipped and counted). */
  includeObsolete?: boolean;
  /** Emit `synonym`, `definition` and `icd10_code` literal triples besides `is_a` (default true). */
  literalTriples?: boolean;
}

function kindOf(id: string): EntityKind {
  if (id.startsWith('DOID:')) return 'disease';
  if (id.startsWith('SYMP:')) return 'symptom';
  return 'other';
}

/**
 * Load an OBO file into `kg`: one entity per term (name, definition, synonyms, xrefs; ICD-10-CM codes in dotted
 * form), `is_a` triples, and (unless `literalTriples: false`) `synonym`, `definition` and `icd10_code` literal
 * triples. `alt_id`s become aliases. Duplicate ids and terms without a name are reported as issues.
 *
 * @param kg - the graph to fill.
 * @param input - text, lines or bytes (see {@link LineInput}).
 * @param opts - see {@link OboLoadOptions}.
 */
export async function loadObo(kg: KnowledgeGraph, input: LineInput, opts: OboLoadOptions = {}): Promise<LoadResult> {
  const file = opts.file ?? inputLabel(input);
  const issues = new IssueCollector(file, opts.strict, opts.onIssue);
  const source = opts.source ?? inputBaseName(input) ?? 'obo';
  const authority = opts.authority ?? 'A';
  const scopes = new Set<string>(opts.synonymScopes ?? ['EXACT', 'RELATED']);
  const literal = opts.literalTriples ?? true;
  const seen = new Set<string>();
  let entities = 0;
  let triples = 0;
  let skipped = 0;
  const add = (t: Parameters<KnowledgeGraph['addTriple']>[0]): void => {
    if (kg.addTriple(t)) triples++;
  };
  for await (const term of readOboTerms(input, issues)) {
    if (seen.has(term.id)) {
      issues.report(term.line, `duplicate term id ${term.id}`);
      continue;
    }
    seen.add(term.id);
    if (term.obsolete && !opts.includeObsolete) {
      skipped++;
      continue;
    }
    if (!term.name) {
      issues.report(term.line, `term ${term.id} has no name: tag`);
      continue;
    }
    const xrefs: Record<string, string[]> = {};
    for (const x of term.xrefs) {
      const sys = normalizeSystem(x.system);
      (xrefs[sys] ??= []).push(x.code);
    }
    const synonyms = term.synonyms.filter((s) => scopes.has(s.scope)).map((s) => s.text);
    kg.addEntity({
      id: term.id,
      kind: opts.kind ?? kindOf(term.id),
      name: term.name,
      language: 'en',
      synonyms,
      xrefs,
      ...(term.def ? { definition: term.def } : {}),
      ...(term.obsolete ? { obsolete: true } : {}),
    });
    entities++;
    for (const alt of term.altIds) kg.addAlias(alt, term.id);
    for (const p of term.isA) add({ subject: term.id, predicate: 'is_a', object: p, source, authority });
    if (!literal) continue;
    for (const s of synonyms) add({ subject: term.id, predicate: 'synonym', object: s, objectIsLiteral: true, objectLanguage: 'en', source, authority });
    if (term.def) add({ subject: term.id, predicate: 'definition', object: term.def, objectIsLiteral: true, objectLanguage: 'en', source, authority });
    for (const code of xrefs['ICD10CM'] ?? []) {
      if (/^[A-Z]\d\d-[A-Z]\d\d$/i.test(code.trim())) continue; // a block range (e.g. A00-A09): kept as xref only
      if (!isIcd10Like(code)) {
        issues.report(term.line, `term ${term.id}: ICD10CM xref ${JSON.stringify(code)} is not an ICD-10-CM code`);
        continue;
      }
      add({ subject: term.id, predicate: 'icd10_code', object: formatIcd10(code), objectIsLiteral: true, source, authority });
    }
  }
  return { source, entities, triples, skipped, issues: issues.issues };
}
