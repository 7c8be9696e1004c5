/**
 * The experiments by name (the CLI's first argument), in the order `all` runs them.
 *
 * @packageDocumentation
 */
import type { ExperimentOptions } from '../experiment-options';
import type { ExperimentResult } from '../results';
import { dpoVsGrpoAblation } from './dpo-grpo';
import { knowledgeTranslationAblation } from './knowledge';
import { retrievalAblation } from './retrieval';
import { verifierAblation } from './verifier';

/** The experiment names. */
export const EXPERIMENT_NAMES = ['verifier', 'retrieval', 'dpo-grpo', 'knowledge'] as const;
/** One of {@link EXPERIMENT_NAMES}. */
export type ExperimentName = (typeof EXPERIMENT_NAMES)[number];

/** Each experiment's function. */
export const EXPERIMENTS: Readonly<Record<ExperimentName, (o: ExperimentOptions) => Promise<ExperimentResult>>> = {
  verifier: verifierAblation,
  retrieval: retrievalAblation,
  'dpo-grpo': dpoVsGrpoAblation,
  knowledge: knowledgeTranslationAblation,
};
