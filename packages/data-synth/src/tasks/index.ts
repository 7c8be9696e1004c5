/**
 * Instruction tasks (IFT/SFT) generated from the knowledge graph and PubMedQA: a registry across the four ability
 * dimensions, exam-style multiple choice with hierarchy distractors, and entity splits with a leakage check.
 *
 * @packageDocumentation
 */
export * from './types';
export { GraphView, factKey, parseFactKey, stripCodePrefix } from './graph';
export * from './exam';
export * from './split';
export * from './registry';
export { ICD10CM_CHAPTERS, icd10cmChapterOf, defaultRender, type Icd10Chapter } from './common';
export { templateRenderer } from './renderer';
export { buildPassages, formatPassages, type PassageSet } from './passages';
export { maskedDefinition } from './definition-matching';
export { pubmedqaFactKey } from './pubmedqa';
export * from './builtin';
