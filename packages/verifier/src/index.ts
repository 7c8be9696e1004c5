export type { VerificationResult, Verdict, VerdictSource, Verifier, VerifyContext } from './types';
export { VerifierArgumentError } from './argument-error';
export * from './rules/index';
export {
  normalizeIcd10Code,
  parseIcd10Code,
  formatIcd10Code,
  toHalfWidth,
  Icd10FormatError,
  CODE_DOT_CHARS,
  Icd10CodeList,
  getIcd10CodeList,
  Icd10CodeListError,
  hierarchicalCredit,
  setScore,
  resolveIcd10Weights,
  DEFAULT_ICD10_WEIGHTS,
  Icd10HierarchyError,
  Icd10Verifier,
  extractIcd10Codes,
  Icd10ReferenceError,
} from './icd10/index';
export type {
  NormalizedIcd10Code,
  Icd10System,
  Icd10Range,
  Icd10MatchLevel,
  Icd10CreditWeights,
  Icd10Credit,
  Icd10SetMatch,
  Icd10SetScore,
  ExtractedIcd10Code,
  ExtractIcd10Options,
  Icd10Reference,
  Icd10VerifierOptions,
} from './icd10/index';
export {
  VERIFIER_DATA_FILES,
  ICD10_DATA_FILES,
  provideVerifierData,
  loadShippedVerifierData,
  hasVerifierData,
  clearVerifierData,
  readDataText,
  VerifierDataError,
} from './icd10/data-files';
export type { VerifierDataFile, VerifierDataInput, LoadShippedVerifierDataOptions } from './icd10/data-files';
export * from './judges/index';
export { EquivalencePairsError } from './judges/pairs';
export { HybridVerifierError } from './judges/hybrid';
export { RemoteJudgeConfigError } from './judges/remote-judge';
export * from './reward/index';
export { splitTemplates } from './reward/preference-data';
export type { TemplateSplit, SplitTemplatesOptions } from './reward/preference-data';
export {
  VERIFIER_REGISTRY,
  verifierKinds,
  resolveVerifierKind,
  createVerifier,
  referenceFromSample,
  verifySample,
  VerifierRegistryError,
  SampleReferenceError,
} from './registry';
export type {
  VerifierReferences,
  VerifierKind,
  VerifierFactoryOptions,
  VerifierKindEntry,
  SampleReference,
  SampleLike,
  ResolvedReference,
} from './registry';
export { seededShuffle, ShuffleSeedError } from './shuffle';
export { VerifierError } from './error';
