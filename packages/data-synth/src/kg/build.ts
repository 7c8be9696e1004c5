/**
 * Compose the loaders into one medical knowledge graph, with an authority level per source.
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
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDiseaseSymptoms } from './disease-symptom';
import { loadIcd10Cn, loadIcd10CnCatalog } from './icd10-cn';
import { loadIcd10cm, readIcd10cmChapters, type Icd10cmChapter } from './icd10cm';
import { KnowledgeGraph } from './knowledge-graph';
import { loadObo, type LoadResult } from './obo';
import { loadPharmacotherapyDb } from './pharmacotherapydb';
import type { AuthorityLevel, LoadIssue } from './types';

/** The sources {@link buildMedicalKg} knows, in load order. */
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

/** Options of {@link buildMedicalKg}. */
export interface BuildKgOptions {
  /** Folder with the source files (`…/shared/data/kg`, or the shipped subset: {@link defaultKgSubsetDir}). */
  dir?: string;
  /** Which sources to load (default: all that exist in `dir`). Requested sources that are missing are issues. */
  sources?: readonly KgSourceName[];
  /** Explicit file paths per source (override the lookup in `dir`). */
  paths?: Partial<Record<KgSourceName, string>>;
  /** Throw a LoadError at the first malformed line. */
  strict?: boolean;
}

/** What {@link buildMedicalKg} returns. */
export interface BuildKgResult {
  kg: KnowledgeGraph;
  /** Every malformed line of every source. */
  issues: LoadIssue[];
  /** Per-source load results (counts, issues) and the file read. */
  results: Partial<Record<KgSourceName, LoadResult & { file: string; ms: number }>>;
  /** Sources that were not found (and not requested explicitly). */
  missing: KgSourceName[];
}

declare const __dirname: string | undefined;

/**
 * The folder of the knowledge-graph subset shipped with this package (`data/kg-subset`), found from the sources
 * (`src/kg/`) or the bundle (`dist/`).
 *
 * @throws Error when it cannot be found.
 */
export function defaultKgSubsetDir(): string {
  const dirs: string[] = [];
  try {
    for (const rel of ['../../data/kg-subset', '../data/kg-subset']) dirs.push(fileURLToPath(new URL(rel, import.meta.url)));
  } catch {
    // CommonJS bundle: no import.meta.url
  }
  if (typeof __dirname === 'string') dirs.push(join(__dirname, '../data/kg-subset'), join(__dirname, '../../data/kg-subset'));
  for (const d of dirs) if (existsSync(join(d, 'doid.obo'))) return d;
  throw new Error(`defaultKgSubsetDir: data/kg-subset not found (looked in ${dirs.join(', ')})`);
}

/** Resolve the file of `source` in `dir`, or undefined. */
export function findSourceFile(dir: string, source: KgSourceName): string | undefined {
  for (const rel of SOURCE_FILES[source]) {
    const p = join(dir, rel);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Build the medical knowledge graph from a folder of sources (default: the shipped subset). Loads, in order,
 * ICD-10-CM chapters and codes, the Disease Ontology, the Symptom Ontology, disease–symptom pairs,
 * PharmacotherapyDB indications and the ICD-10 Chinese names, each streamed; every malformed line is returned in
 * `issues` (or thrown in `strict` mode).
 *
 * @param opts - see {@link BuildKgOptions}.
 */
export async function buildMedicalKg(opts: BuildKgOptions = {}): Promise<BuildKgResult> {
  const dir = opts.dir ?? defaultKgSubsetDir();
  const kg = new KnowledgeGraph();
  const issues: LoadIssue[] = [];
  const results: BuildKgResult['results'] = {};
  const missing: KgSourceName[] = [];
  const wanted = new Set<KgSourceName>(opts.sources ?? KG_SOURCES);
  for (const s of wanted) if (!KG_SOURCES.includes(s)) throw new TypeError(`buildMedicalKg: unknown source ${JSON.stringify(s)}; known: ${KG_SOURCES.join(', ')}`);
  let chapters: Icd10cmChapter[] = [];
  for (const name of KG_SOURCES) {
    if (!wanted.has(name)) continue;
    const file = opts.paths?.[name] ?? findSourceFile(dir, name);
    if (!file || !existsSync(file)) {
      if (opts.sources) issues.push({ file: file ?? join(dir, SOURCE_FILES[name][0] as string), line: 0, message: `source ${name} requested but its file was not found` });
      missing.push(name);
      continue;
    }
    const base = { strict: opts.strict, source: SOURCE_LABEL[name], authority: SOURCE_AUTHORITY[name] };
    const t0 = performance.now();
    let r: LoadResult;
    switch (name) {
      case 'icd10cmChapters': {
        const c = await readIcd10cmChapters(file, { strict: opts.strict });
        chapters = c.chapters;
        r = { source: base.source, entities: 0, triples: 0, skipped: 0, issues: c.issues };
        break;
      }
      case 'icd10cm':
        r = await loadIcd10cm(kg, file, { ...base, chapters });
        break;
      case 'do':
        r = await loadObo(kg, file, { ...base, kind: 'disease' });
        break;
      case 'symp':
        r = await loadObo(kg, file, { ...base, kind: 'symptom' });
        break;
      case 'diseaseSymptom':
        r = await loadDiseaseSymptoms(kg, file, base);
        break;
      case 'pharmacotherapydb':
        r = await loadPharmacotherapyDb(kg, file, base);
        break;
      case 'icd10cn':
        r = await loadIcd10Cn(kg, file, base);
        break;
      case 'icd10cnCatalog':
        r = await loadIcd10CnCatalog(kg, file, base);
        break;
    }
    results[name] = { ...r, file, ms: performance.now() - t0 };
    issues.push(...r.issues);
  }
  return { kg, issues, results, missing };
}
