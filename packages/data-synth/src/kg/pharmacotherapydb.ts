/**
 * PharmacotherapyDB (Himmelstein et al., physician-curated drug–disease indications, CC0) loader:
 * `doid_id, drugbank_id, disease, drug, category[, n_curators, n_resources]` with category DM
 * (disease-modifying) → `treats`, SYM (symptomatic) → `symptomatic_relief`, NOT (not an indication) →
 * `not_indication`. Creates `drug` entities (DrugBank ids) and `disease` entities (DOIDs) with their names.
 *
 * @packageDocumentation
 */
import type { IssueOptions } from './errors';
import type { KnowledgeGraph } from './knowledge-graph';
import type { LineInput } from './lines';
import type { LoadResult } from './obo';
import { loadTriplesDelimited } from './tsv';
import type { AuthorityLevel, Predicate } from './types';

/** PharmacotherapyDB category → predicate. */
export const PHARMACOTHERAPYDB_CATEGORIES: Readonly<Record<string, Predicate>> = {
  DM: 'treats',
  SYM: 'symptomatic_relief',
  NOT: 'not_indication',
};

/** Options of {@link loadPharmacotherapyDb}. */
export interface PharmacotherapyDbOptions extends IssueOptions {
  /** Source label (default `'pharmacotherapydb'`). */
  source?: string;
  /** Authority (default `'B'`: physician-curated catalogue, not a guideline). */
  authority?: AuthorityLevel;
}

/**
 * Load PharmacotherapyDB indications: drug → disease `treats` / `symptomatic_relief` / `not_indication` triples.
 * Rows with a malformed DrugBank id or DOID, or an unknown category, are reported as issues.
 *
 * @param kg - the graph to fill.
 * @param input - text, lines or bytes of `pharmacotherapydb_indications.tsv` (see {@link LineInput}).
 * @param opts - see {@link PharmacotherapyDbOptions}.
 */
export function loadPharmacotherapyDb(kg: KnowledgeGraph, input: LineInput, opts: PharmacotherapyDbOptions = {}): Promise<LoadResult> {
  return loadTriplesDelimited(kg, input, {
    ...opts,
    delimiter: '\t',
    source: opts.source ?? 'pharmacotherapydb',
    authority: opts.authority ?? 'B',
    columns: { subject: 'drugbank_id', object: 'doid_id', predicate: 'category', subjectName: 'drug', objectName: 'disease' },
    predicateMap: { ...PHARMACOTHERAPYDB_CATEGORIES },
    subjectKind: 'drug',
    objectKind: 'disease',
    validate: (f) => {
      if (!/^DB\d{5}$/.test(f['drugbank_id'] ?? '')) return `drugbank_id must look like DB00001, got ${JSON.stringify(f['drugbank_id'])}`;
      if (!/^DOID:\d+$/.test(f['doid_id'] ?? '')) return `doid_id must look like DOID:1234, got ${JSON.stringify(f['doid_id'])}`;
      if (!((f['category'] ?? '') in PHARMACOTHERAPYDB_CATEGORIES)) return `category must be DM, SYM or NOT, got ${JSON.stringify(f['category'])}`;
      return undefined;
    },
  });
}
