/**
 * The one typed model of the knowledge graph: entities and subject–predicate–object triples with provenance and
 * authority.
 *
 * @packageDocumentation
 */

/** Authority of a source, as in the QuarkMed report: A (guidelines, pharmacopoeias, standard code sets) … E (unvetted web). */
export type AuthorityLevel = 'A' | 'B' | 'C' | 'D' | 'E';

/** Language of a name or a generated text. */
export type Language = 'en' | 'zh';

/** What kind of thing an entity is. */
export type EntityKind = 'disease' | 'symptom' | 'drug' | 'code' | 'other';

/** A node of the graph. `id` is a CURIE such as `DOID:9352`, `SYMP:0000613`, `DB00331` or `ICD10CM:E11.9`. */
export interface Entity {
  id: string;
  kind: EntityKind;
  /** Preferred name in `language`. */
  name: string;
  language: Language;
  /** Exact and related synonyms (same language unless tagged elsewhere). */
  synonyms: string[];
  /** Names in other languages, e.g. `{ zh: ['霍乱'] }`. */
  names?: Partial<Record<Language, string[]>>;
  /** Cross-references by system: `{ ICD10CM: ['E11'], MESH: ['D003924'], UMLS_CUI: ['C0011860'] }`. */
  xrefs: Record<string, string[]>;
  definition?: string;
  /** Marked obsolete in its source. */
  obsolete?: boolean;
  /**
   * Source-specific scalar attributes (optional; added by the KG loaders), e.g. ICD-10-CM `billable`,
   * `shortTitle`, `chapter`.
   */
  attributes?: Record<string, string | number | boolean>;
}

/** The predicates the templates, tasks and verifiers understand. */
export type Predicate =
  | 'is_a' // subject is a kind of object (entity → entity)
  | 'synonym' // subject has the synonym object (entity → literal)
  | 'icd10_code' // subject is coded as object (entity → ICD-10(-CM) code literal)
  | 'has_symptom' // disease → symptom
  | 'treats' // drug → disease, disease-modifying indication (PharmacotherapyDB DM)
  | 'symptomatic_relief' // drug → disease, symptomatic indication (SYM)
  | 'not_indication' // drug → disease, not an indication (NOT)
  | 'definition' // entity → literal text
  | 'translation'; // entity → literal name in another language (object language in `objectLanguage`)

/** A subject–predicate–object fact with provenance. */
export interface Triple {
  subject: string;
  predicate: Predicate;
  /** An entity id, or a literal (`objectIsLiteral`). */
  object: string;
  objectIsLiteral?: boolean;
  objectLanguage?: Language;
  /** Source file or dataset, e.g. `doid.obo`, `pharmacotherapydb`, `icd10cm_order_FY2022`. */
  source: string;
  authority: AuthorityLevel;
}

/** A malformed input line, reported instead of crashing or silently dropped. */
export interface LoadIssue {
  file: string;
  line: number;
  message: string;
}
