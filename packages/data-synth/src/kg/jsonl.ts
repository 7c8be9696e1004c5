/**
 * JSON-lines entities and triples: one JSON object per line, either `{"type":"entity", ...Entity}` or
 * `{"type":"triple", ...Triple}` (without `type`, an object with `predicate` is a triple and one with `id` is an
 * entity). Also the inverse, {@link kgToJsonl}, so a graph can be saved and reloaded.
 *
 * @packageDocumentation
 */
import { IssueCollector, type IssueOptions } from './errors';
import { isAuthority, isPredicate, type KnowledgeGraph } from './knowledge-graph';
import { inputLabel, readLines, type LineInput } from './lines';
import type { LoadResult } from './obo';
import type { AuthorityLevel, Entity, EntityKind, Triple } from './types';

const KINDS: ReadonlySet<string> = new Set(['disease', 'symptom', 'drug', 'code', 'other']);

/** Options of {@link loadJsonl}. */
export interface JsonlLoadOptions extends IssueOptions {
  /** Source for triples that have none (default `'jsonl'`). */
  source?: string;
  /** Authority for triples that have none (default `'C'`). */
  authority?: AuthorityLevel;
}

function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((v) => typeof v === 'string');
}

/** Check an entity object; returns a message naming the bad field, or undefined. */
function entityProblem(o: Record<string, unknown>): string | undefined {
  if (typeof o['id'] !== 'string' || !o['id']) return 'entity.id must be a non-empty string';
  if (typeof o['name'] !== 'string') return `entity ${o['id']}: name must be a string`;
  if (o['kind'] !== undefined && !KINDS.has(o['kind'] as string)) return `entity ${o['id']}: kind must be one of ${[...KINDS].join(', ')}, got ${JSON.stringify(o['kind'])}`;
  if (o['language'] !== undefined && o['language'] !== 'en' && o['language'] !== 'zh') return `entity ${o['id']}: language must be en or zh`;
  if (o['synonyms'] !== undefined && !isStringArray(o['synonyms'])) return `entity ${o['id']}: synonyms must be an array of strings`;
  if (o['xrefs'] !== undefined) {
    const x = o['xrefs'];
    if (typeof x !== 'object' || x === null || Array.isArray(x) || !Object.values(x).every(isStringArray)) {
      return `entity ${o['id']}: xrefs must map systems to arrays of strings`;
    }
  }
  return undefined;
}

/**
 * Stream a JSON-lines file of entities and triples into `kg`. Lines that are not JSON objects, or whose fields
 * are missing or mistyped (unknown predicate, authority outside A–E, ...), are reported as issues.
 *
 * @param kg - the graph to fill.
 * @param input - text, lines or bytes (see {@link LineInput}).
 * @param opts - see {@link JsonlLoadOptions}.
 */
export async function loadJsonl(kg: KnowledgeGraph, input: LineInput, opts: JsonlLoadOptions = {}): Promise<LoadResult> {
  const issues = new IssueCollector(opts.file ?? inputLabel(input), opts.strict, opts.onIssue);
  const source = opts.source ?? 'jsonl';
  let entities = 0;
  let triples = 0;
  for await (const { line, text } of readLines(input, issues.file)) {
    if (!text.trim()) continue;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (err) {
      issues.report(line, `invalid JSON: ${(err as Error).message}`);
      continue;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      issues.report(line, 'expected a JSON object');
      continue;
    }
    const r = o as Record<string, unknown>;
    const type = r['type'] ?? ('predicate' in r ? 'triple' : 'id' in r ? 'entity' : undefined);
    if (type === 'entity') {
      const p = entityProblem(r);
      if (p) {
        issues.report(line, p);
        continue;
      }
      const e: Entity = {
        id: r['id'] as string,
        kind: ((r['kind'] as EntityKind | undefined) ?? 'other'),
        name: r['name'] as string,
        language: (r['language'] as Entity['language'] | undefined) ?? 'en',
        synonyms: (r['synonyms'] as string[] | undefined) ?? [],
        xrefs: (r['xrefs'] as Record<string, string[]> | undefined) ?? {},
      };
      if (r['names'] && typeof r['names'] === 'object') e.names = r['names'] as Entity['names'];
      if (typeof r['definition'] === 'string') e.definition = r['definition'];
      if (r['obsolete'] === true) e.obsolete = true;
      if (r['attributes'] && typeof r['attributes'] === 'object') e.attributes = r['attributes'] as Entity['attributes'];
      if (!kg.has(e.id)) entities++;
      kg.addEntity(e);
    } else if (type === 'triple') {
      const { subject, predicate, object } = r;
      if (typeof subject !== 'string' || !subject) {
        issues.report(line, 'triple.subject must be a non-empty string');
        continue;
      }
      if (typeof predicate !== 'string' || !isPredicate(predicate)) {
        issues.report(line, `triple.predicate ${JSON.stringify(predicate)} is not a known predicate`);
        continue;
      }
      if (typeof object !== 'string' || !object) {
        issues.report(line, 'triple.object must be a non-empty string');
        continue;
      }
      const authority = r['authority'] ?? opts.authority ?? 'C';
      if (typeof authority !== 'string' || !isAuthority(authority)) {
        issues.report(line, `triple.authority must be A–E, got ${JSON.stringify(authority)}`);
        continue;
      }
      const t: Triple = { subject, predicate, object, source: typeof r['source'] === 'string' ? r['source'] : source, authority };
      if (r['objectIsLiteral'] === true) t.objectIsLiteral = true;
      if (r['objectLanguage'] === 'en' || r['objectLanguage'] === 'zh') t.objectLanguage = r['objectLanguage'];
      if (kg.addTriple(t)) triples++;
    } else {
      issues.report(line, `type must be "entity" or "triple", got ${JSON.stringify(r['type'])}`);
    }
  }
  return { source, entities, triples, skipped: 0, issues: issues.issues };
}

/**
 * Serialise a graph as JSON lines: all entities, then all triples, each with a `type` field. Reloading the lines
 * with {@link loadJsonl} gives an equal graph.
 *
 * @param kg - the graph.
 */
export function* kgToJsonl(kg: KnowledgeGraph): Generator<string> {
  for (const e of kg.entities()) yield JSON.stringify({ type: 'entity', ...e });
  for (const t of kg.triples()) yield JSON.stringify({ type: 'triple', ...t });
}
