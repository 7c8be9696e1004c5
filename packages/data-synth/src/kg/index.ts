/**
 * The medical knowledge graph: typed model, graph, streaming loaders and the composed builder.
 *
 * @packageDocumentation
 */
export type { AuthorityLevel, Entity, EntityKind, Language, LoadIssue, Predicate, Triple } from './types';
export { LoadError, LoadOptionsError, KnowledgeGraphError, IssueCollector, type IssueOptions } from './errors';
export { readLines, splitLines, inputLabel, inputBaseName, type ByteInput, type LineInput, type NumberedLine } from './lines';
export { formatIcd10, icd10cmId, isIcd10Like, normalizeCode, normalizeIcd10, normalizeSystem, ICD10_SYSTEMS } from './codes';
export { KnowledgeGraph, PREDICATES, isPredicate, isAuthority, nameKey, type KgStats, type TripleFilter } from './knowledge-graph';
export { loadObo, readOboTerms, type LoadResult, type OboLoadOptions, type OboSynonym, type OboTerm, type OboXref, type SynonymScope } from './obo';
export { loadTriplesDelimited, readDelimited, splitDelimited, DEFAULT_MAX_QUOTED_SPAN, type DelimitedOptions, type DelimitedRow, type TripleColumns, type TripleLoadOptions } from './tsv';
export { chapterId, chapterOf, loadIcd10cm, readIcd10cmChapters, readIcd10cmOrder, type Icd10cmChapter, type Icd10cmLoadOptions, type Icd10cmRecord } from './icd10cm';
export { kgToJsonl, loadJsonl, type JsonlLoadOptions } from './jsonl';
export { loadPharmacotherapyDb, PHARMACOTHERAPYDB_CATEGORIES, type PharmacotherapyDbOptions } from './pharmacotherapydb';
export { loadDiseaseSymptoms, type DiseaseSymptomOptions } from './disease-symptom';
export { loadIcd10Cn, loadIcd10CnCatalog, type Icd10CnOptions } from './icd10-cn';
export {
  buildKg,
  KG_SOURCES,
  SOURCE_AUTHORITY,
  SOURCE_FILES,
  SOURCE_LABEL,
  type BuildKgFromOptions,
  type BuildKgResult,
  type KgSourceName,
} from './build';
