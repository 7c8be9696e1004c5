/**
 * Disease Ontology disease–symptom pairs (`DOreports/requested/disease-symptom.tsv`, CC0):
 * `disease_id, disease_label, symptom_id, symptom_label` → `has_symptom` triples, creating/merging `disease` and
 * `symptom` entities with their labels.
 *
 * @packageDocumentation
 */
import type { IssueOptions } from './errors';
import type { KnowledgeGraph } from './knowledge-graph';
import type { LineInput } from './lines';
import type { LoadResult } from './obo';
import { loadTriplesDelimited } from './tsv';
import type { AuthorityLevel } from './types';

/** Options of {@link loadDiseaseSymptoms}. */
export interface DiseaseSymptomOptions extends IssueOptions {
  /** Source label (default `'do_disease-symptom'`). */
  source?: string;
  /** Authority (default `'C'`: a generated DO report, pairs not individually reviewed). */
  authority?: AuthorityLevel;
}

/**
 * Load disease → symptom `has_symptom` triples. Rows whose ids are not `DOID:n` / `SYMP:n` are reported.
 *
 * @param kg - the graph to fill.
 * @param input - text, lines or bytes (see {@link LineInput}).
 * @param opts - see {@link DiseaseSymptomOptions}.
 */
export function loadDiseaseSymptoms(kg: KnowledgeGraph, input: LineInput, opts: DiseaseSymptomOptions = {}): Promise<LoadResult> {
  return loadTriplesDelimited(kg, input, {
    ...opts,
    delimiter: '\t',
    source: opts.source ?? 'do_disease-symptom',
    authority: opts.authority ?? 'C',
    predicate: 'has_symptom',
    columns: { subject: 'disease_id', object: 'symptom_id', subjectName: 'disease_label', objectName: 'symptom_label' },
    subjectKind: 'disease',
    objectKind: 'symptom',
    validate: (f) => {
      if (!/^DOID:\d+$/.test(f['disease_id'] ?? '')) return `disease_id must look like DOID:1234, got ${JSON.stringify(f['disease_id'])}`;
      if (!/^SYMP:\d+$/.test(f['symptom_id'] ?? '')) return `symptom_id must look like SYMP:0000001, got ${JSON.stringify(f['symptom_id'])}`;
      return undefined;
    },
  });
}
