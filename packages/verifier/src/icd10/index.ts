/**
 * ICD-10 / ICD-10-CM verification: normalisation, code list, hierarchical credit, the verifier.
 *
 * @packageDocumentation
 */
export { normalizeIcd10Code, parseIcd10Code, formatIcd10Code, toHalfWidth, Icd10FormatError, CODE_DOT_CHARS } from './normalize';
export type { NormalizedIcd10Code } from './normalize';
export { Icd10CodeList, getIcd10CodeList, Icd10CodeListError } from './code-list';
export type { Icd10System, Icd10Range } from './code-list';
export { readDataText, VerifierDataError } from './data-files';
export {
  hierarchicalCredit,
  setScore,
  resolveIcd10Weights,
  DEFAULT_ICD10_WEIGHTS,
  Icd10HierarchyError,
} from './hierarchy';
export type { Icd10MatchLevel, Icd10CreditWeights, Icd10Credit, Icd10SetMatch, Icd10SetScore } from './hierarchy';
export { Icd10Verifier, extractIcd10Codes, Icd10ReferenceError } from './icd10-verifier';
export type { ExtractedIcd10Code, ExtractIcd10Options, Icd10Reference, Icd10VerifierOptions } from './icd10-verifier';
