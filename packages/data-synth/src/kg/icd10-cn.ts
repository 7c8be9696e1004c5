/**
 * ICD-10 Chinese names (github.com/chaseliu/ICD-10-CN, MIT): `disease.csv` (tab-separated despite its name:
 * `code, disease`, 3-character codes, dagger `+` / asterisk `*` marks allowed) and the chapter/block catalogue
 * `disease_catalog.csv` (`code_lower_bound, code_upper_bound, level, catalog`).
 *
 * Each Chinese name becomes a `translation` triple (object language `zh`) and an entry in `names.zh` of
 * - the ICD-10-CM category entity with the same 3-character code (`ICD10CM:A00`), and
 * - every entity (e.g. a Disease Ontology disease) cross-referenced to exactly that 3-character code.
 * Names of codes that match nothing in the graph are counted in `skipped` (load ICD-10-CM and DO first).
 *
 * @packageDocumentation
 */
import { IssueCollector, type IssueOptions } from './errors';
import { icd10cmId, isIcd10Like, normalizeIcd10 } from './codes';
import type { KnowledgeGraph } from './knowledge-graph';
import { inputLabel, type LineInput } from './lines';
import type { LoadResult } from './obo';
import { readDelimited } from './tsv';
import type { AuthorityLevel } from './types';

/** Options of {@link loadIcd10Cn}. */
export interface Icd10CnOptions extends IssueOptions {
  /** Source label (default `'icd10_cn'`). */
  source?: string;
  /** Authority (default `'C'`: a community transcription of the national ICD-10 names, not the official file). */
  authority?: AuthorityLevel;
}

/**
 * Load ICD-10 Chinese names as `translation` triples and `names.zh`.
 *
 * @param kg - the graph (with ICD-10-CM and/or DO already loaded).
 * @param input - `disease.csv` path or lines.
 * @param opts - see {@link Icd10CnOptions}.
 */
export async function loadIcd10Cn(kg: KnowledgeGraph, input: LineInput, opts: Icd10CnOptions = {}): Promise<LoadResult> {
  const issues = new IssueCollector(opts.file ?? inputLabel(input), opts.strict, opts.onIssue);
  const source = opts.source ?? 'icd10_cn';
  const authority = opts.authority ?? 'C';
  let entities = 0;
  let triples = 0;
  let skipped = 0;
  for await (const { line, fields } of readDelimited(input, issues, { delimiter: '\t' })) {
    const rawCode = fields['code'];
    const zh = (fields['disease'] ?? '').trim();
    if (rawCode === undefined || !('disease' in fields)) {
      issues.report(line, `expected columns code and disease, got ${Object.keys(fields).join(', ')}`);
      return { source, entities, triples, skipped, issues: issues.issues };
    }
    const code = normalizeIcd10(rawCode.replace(/[+*†]/g, ''));
    if (!isIcd10Like(code) || code.length !== 3) {
      issues.report(line, `code must be a 3-character ICD-10 code, got ${JSON.stringify(rawCode)}`);
      continue;
    }
    if (!zh) {
      issues.report(line, `empty Chinese name for ${code}`);
      continue;
    }
    const targets = new Set<string>();
    if (kg.has(icd10cmId(code))) targets.add(icd10cmId(code));
    for (const e of kg.byXref('ICD10CM', code)) targets.add(e.id);
    if (targets.size === 0) {
      skipped++;
      continue;
    }
    for (const id of targets) {
      const before = kg.entity(id)?.names?.zh?.length ?? 0;
      kg.addName(id, 'zh', zh);
      if ((kg.entity(id)?.names?.zh?.length ?? 0) > before) entities++;
      if (kg.addTriple({ subject: id, predicate: 'translation', object: zh, objectIsLiteral: true, objectLanguage: 'zh', source, authority })) triples++;
    }
  }
  return { source, entities, triples, skipped, issues: issues.issues };
}

/**
 * Load the Chinese chapter titles of `disease_catalog.csv` onto ICD-10-CM chapter entities whose first category
 * matches (level-1 rows; blocks, level 2, have no entities and are skipped).
 *
 * @param kg - the graph (ICD-10-CM loaded with chapters).
 * @param input - `disease_catalog.csv` path or lines.
 * @param opts - see {@link Icd10CnOptions}.
 */
export async function loadIcd10CnCatalog(kg: KnowledgeGraph, input: LineInput, opts: Icd10CnOptions = {}): Promise<LoadResult> {
  const issues = new IssueCollector(opts.file ?? inputLabel(input), opts.strict, opts.onIssue);
  const source = opts.source ?? 'icd10_cn';
  const authority = opts.authority ?? 'C';
  const chapters = kg.entities('other').filter((e) => e.id.startsWith('ICD10CM_CHAPTER:'));
  let entities = 0;
  let triples = 0;
  let skipped = 0;
  for await (const { line, fields } of readDelimited(input, issues, { delimiter: '\t' })) {
    const lo = normalizeIcd10(fields['code_lower_bound'] ?? '');
    const level = fields['level'];
    const zh = (fields['catalog'] ?? '').trim();
    if (!isIcd10Like(lo) || !/^\d+$/.test(level ?? '') || !zh) {
      issues.report(line, `expected code_lower_bound, code_upper_bound, level, catalog; got ${JSON.stringify(fields)}`);
      continue;
    }
    const ch = level === '1' ? chapters.find((c) => c.attributes?.['start'] === lo) : undefined;
    if (!ch) {
      skipped++;
      continue;
    }
    kg.addName(ch.id, 'zh', zh);
    entities++;
    if (kg.addTriple({ subject: ch.id, predicate: 'translation', object: zh, objectIsLiteral: true, objectLanguage: 'zh', source, authority })) triples++;
  }
  return { source, entities, triples, skipped, issues: issues.issues };
}
