/**
 * Compose the loaders into one medical knowledge graph, with an authority level per source. The file lookup in a
 * folder (`buildMedicalKg({ dir })`, the shipped subset) is in the Node entry; this module takes the inputs.
 *
 * | source key          | file (full layout `…/shared/data/kg/`, or flat shipped subset)        | authority |
 * |---------------------|------------------------------------------------------------------------|-----------|
 * | `icd10cmChapters`   | `icd10cm/icd10cm_chapters.tsv` · `icd10cm_chapters.tsv`               | A         |
 * | `icd10cm`           | `icd10cm/icd10cm_order_FY2022.tsv` · `icd10cm_order.tsv`              | A (CDC/NCHS official code set) |
 * | `do`                | `disease_ontology/doid_2016-09-01_full.obo` · `doid.obo`              | A (curated reference ontology) |
 * | `symp`              | `kg_triples/symp.obo` · `symp.obo`                                    | B (younger, less reviewed ontology) |
 * | `pharmacotherapydb` | `kg_triples/pharmacotherapydb_indications.tsv` · `pharmacotherapydb_indications.tsv` | B (physician-curated, not a guideline) |
 * | `diseaseSymptom`    | `disease_ontology/disease-symptom.tsv` · `disease-symptom.tsv`        | C (generated report, pairs not individually reviewed) |
 * | `icd10cn`           | `icd10_cn/disease.csv` · `icd10_cn_disease.tsv`                       | C (community transcription of the national names) |
 * | `icd10cnCatalog`    | `icd10_cn/disease_catalog.csv` · `icd10_cn_catalog.tsv`               | C |
 *
 * The ICD-10 Chinese names always name the ICD-10-CM category; a DO disease gets one only when its mapping to the
 * category is unambiguous (see `loadIcd10Cn`), so load ICD-10-CM and DO before them (this order does).
 *
 * Levels follow the QuarkMed report: A guidelines / pharmacopoeias / standard code sets, B curated expert
 * resources, C derived or community data, D and E are not used by the bundled sources (unvetted text).
 *
 * @packageDocumentation
 */
import { LoadOptionsError } from './errors';
import { loadDiseaseSymptoms } from './disease-symptom';
import { loadIcd10Cn, loadIcd10CnCatalog } from './icd10-cn';
import { loadIcd10cm, readIcd10cmChapters, type Icd10cmChapter } from './icd10cm';
import { KnowledgeGraph } from './knowledge-graph';
import { inputLabel, type LineInput } from './lines';
import { loadObo, type LoadResult } from './obo';
import { loadPharmacotherapyDb } from './pharmacotherapydb';
import type { AuthorityLevel, LoadIssue } from './types';

/** The sources {@link buildKg} knows, in load order. */
export type KgSourceName = 'icd10cmChapters' | 'icd10cm' | 'do' | 'symp' | 'diseaseSymptom' | 'pharmacotherapydb' | 'icd10cn' | 'icd10cnCatalog';

/** Load order of the sources. */
export const KG_SOURCES: readonly KgSourceName[] = ['icd10cmChapters', 'icd10cm', 'do', 'symp', 'diseaseSymptom', 'pharmacotherapydb', 'icd10cn', 'icd10cnCatalog'];

/** Authority level of each source (see the module documentation for the reasons). */
export const SOURCE_AUTHORITY: Readonly<Record<KgSourceName, AuthorityLevel>> = {
  icd10cmChapters: 'A',
  icd10cm: 'A',
  do: 'A',
  symp: 'B',
  pharmacotherapydb: 'B',
  diseaseSymptom: 'C',
  icd10cn: 'C',
  icd10cnCatalog: 'C',
};

/** Triple `source` label of each source (the same for the full files and the shipped subset). */
export const SOURCE_LABEL: Readonly<Record<KgSourceName, string>> = {
  icd10cmChapters: 'icd10cm_order_FY2022',
  icd10cm: 'icd10cm_order_FY2022',
  do: 'doid',
  symp: 'symp',
  pharmacotherapydb: 'pharmacotherapydb',
  diseaseSymptom: 'do_disease-symptom',
  icd10cn: 'icd10_cn',
  icd10cnCatalog: 'icd10_cn',
};

/** Candidate relative paths of each source: the shared-data layout first, then the flat subset layout. */
export const SOURCE_FILES: Readonly<Record<KgSourceName, readonly string[]>> = {
  icd10cmChapters: ['icd10cm/icd10cm_chapters.tsv', 'icd10cm_chapters.tsv'],
  icd10cm: ['icd10cm/icd10cm_order_FY2022.tsv', 'icd10cm_order.tsv'],
  do: ['disease_ontology/doid_2016-09-01_full.obo', 'doid.obo'],
  symp: ['kg_triples/symp.obo', 'symp.obo'],
  diseaseSymptom: ['disease_ontology/disease-symptom.tsv', 'disease-symptom.tsv'],
  pharmacotherapydb: ['kg_triples/pharmacotherapydb_indications.tsv', 'pharmacotherapydb_indications.tsv'],
  icd10cn: ['icd10_cn/disease.csv', 'icd10_cn_disease.tsv'],
  icd10cnCatalog: ['icd10_cn/disease_catalog.csv', 'icd10_cn_catalog.tsv'],
};

/** Options of {@link buildKg}. */
export interface BuildKgFromOptions {
  /** Throw a LoadError at the first malformed line. */
  strict?: boolean;
  /** Label of each source in issues and `results[source].file` (default: the input's name, else the source key). */
  files?: Partial<Record<KgSourceName, string>>;
}

/** What {@link buildKg} (and the Node entry's `buildMedicalKg`) returns. */
export interface BuildKgResult {
  kg: KnowledgeGraph;
  /** Every malformed line of every source. */
  issues: LoadIssue[];
  /** Per-source load results (counts, issues) and the file read. */
  results: Partial<Record<KgSourceName, LoadResult & { file: string; ms: number }>>;
  /** Sources that were not given (or, for `buildMedicalKg`, not found and not requested explicitly). */
  missing: KgSourceName[];
}

/**
 * Build the medical knowledge graph from the given sources (text, lines or bytes each; see {@link LineInput}).
 * Loads, in the order of {@link KG_SOURCES}, ICD-10-CM chapters and codes, the Disease Ontology, the Symptom
 * Ontology, disease–symptom pairs, PharmacotherapyDB indications and the ICD-10 Chinese names, each streamed; every
 * malformed line is returned in `issues` (or thrown in `strict` mode). Browser-safe: the Node entry's
 * `buildMedicalKg({ dir })` finds the files and calls this.
 *
 * @param inputs - the input of each source to load; sources left out are listed in `missing`.
 * @param opts - see {@link BuildKgFromOptions}.
 * @throws LoadOptionsError for an unknown source key.
 */
export async function buildKg(inputs: Partial<Record<KgSourceName, LineInput>>, opts: BuildKgFromOptions = {}): Promise<BuildKgResult> {
  for (const s of Object.keys(inputs)) {
    if (!KG_SOURCES.includes(s as KgSourceName)) throw new LoadOptionsError('sources', `buildKg: unknown source ${JSON.stringify(s)}; known: ${KG_SOURCES.join(', ')}`);
  }
  const kg = new KnowledgeGraph();
  const issues: LoadIssue[] = [];
  const results: BuildKgResult['results'] = {};
  const missing: KgSourceName[] = [];
  let chapters: Icd10cmChapter[] = [];
  for (const name of KG_SOURCES) {
    const input = inputs[name];
    if (input === undefined) {
      missing.push(name);
      continue;
    }
    const file = opts.files?.[name] ?? inputLabel(input, name);
    const base = { strict: opts.strict, source: SOURCE_LABEL[name], authority: SOURCE_AUTHORITY[name], file };
    const t0 = performance.now();
    let r: LoadResult;
    switch (name) {
      case 'icd10cmChapters': {
        const c = await readIcd10cmChapters(input, { strict: opts.strict, file });
        chapters = c.chapters;
        r = { source: base.source, entities: 0, triples: 0, skipped: 0, issues: c.issues };
        break;
      }
      case 'icd10cm':
        r = await loadIcd10cm(kg, input, { ...base, chapters });
        break;
      case 'do':
        r = await loadObo(kg, input, { ...base, kind: 'disease' });
        break;
      case 'symp':
        r = await loadObo(kg, input, { ...base, kind: 'symptom' });
        break;
      case 'diseaseSymptom':
        r = await loadDiseaseSymptoms(kg, input, base);
        break;
      case 'pharmacotherapydb':
        r = await loadPharmacotherapyDb(kg, input, base);
        break;
      case 'icd10cn':
        r = await loadIcd10Cn(kg, input, base);
        break;
      case 'icd10cnCatalog':
        r = await loadIcd10CnCatalog(kg, input, base);
        break;
    }
    results[name] = { ...r, file, ms: performance.now() - t0 };
    issues.push(...r.issues);
  }
  return { kg, issues, results, missing };
}
