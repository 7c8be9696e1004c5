export type { VerificationResult, Verdict, VerdictSource, Verifier } from './types';
export * from './rules/index';
export * from './icd10/index';
export * from './model/index';
export * from './reward/index';
