/**
 * The model component: ontology resolver, learned equivalence judge, remote judge, hybrid verification.
 *
 * @packageDocumentation
 */
export { Ontology, getOntology, OntologyVerifier } from './ontology-resolver';
export type { DoTerm, OntologyRelation, RelationResult, OntologyVerifierOptions } from './ontology-resolver';
export { extractAnswerSpan, answerCandidates, nameKey, sortedNameKey } from './answer-span';
export { pairFeatures, PAIR_FEATURE_DIM, DENSE_FEATURES, HASH_BUCKETS } from './pair-features';
export { buildEquivalencePairs } from './pairs';
export type { EquivalencePair, BuildPairsOptions } from './pairs';
export { EquivalenceJudge, EquivalenceJudgeError } from './equivalence-judge';
export type { TrainJudgeOptions, EquivalenceJudgeJSON, JudgeEvaluation } from './equivalence-judge';
export {
  RemoteJudge,
  RemoteJudgeError,
  RemoteJudgeTimeoutError,
  RemoteJudgeHttpError,
  RemoteJudgeParseError,
  parseJudgeVerdict,
  renderJudgePrompt,
  DEFAULT_JUDGE_SYSTEM_PROMPT,
} from './remote-judge';
export type { RemoteJudgeOptions, JudgeInput, RemoteJudgement } from './remote-judge';
export { HybridVerifier, defaultIsConclusive, isPolicyOutcome } from './hybrid';
export type { HybridMode, HybridOptions } from './hybrid';
