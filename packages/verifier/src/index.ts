export type { VerificationResult, Verdict, VerdictSource, Verifier } from './types';
export * from './rules/index';
export * from './icd10/index';
export * from './judges/index';
export * from './reward/index';
export { VerifierError } from './error';
