/**
 * The ablations' scales. Each names the recipe scale of `@quarkmed/pipeline` the shared base run uses, the recipe
 * overrides on top of it, and the sizes of the experiments that train outside the recipe (DPO vs GRPO).
 *
 * - `smoke`: the tests' scale (the recipe's `tiny`; seconds per experiment).
 * - `small`: the default (the recipe's `quickstart` model, more RL steps and larger evaluations; each experiment at
 *   most 20 minutes on a 2-core machine).
 *
 * @packageDocumentation
 */
import type { ScaleName } from '@quarkmed/pipeline';
import { AblationError } from './error';

/** Sizes of the DPO-vs-GRPO experiment (same SFT policy, same prompts, same samples per prompt, same steps). */
export interface PreferenceScale {
  /** Training prompts (general instructions of the train split). */
  prompts: number;
  /** Optimizer steps of each arm. */
  steps: number;
  /** Completions sampled per prompt: GRPO's group size, and DPO's best-vs-worst pool. */
  numGenerations: number;
  /** Prompts per GRPO step and pairs per DPO step. */
  batchSize: number;
  /** New tokens per sampled or evaluated completion. */
  maxCompletionLength: number;
  /** Held-out prompts (test split) each arm answers for the reward-model scores. */
  heldOut: number;
  /** Learning rate of both arms. */
  learningRate: number;
}

/** One ablation scale. */
export interface AblationScale {
  /** The recipe scale under the overrides. */
  recipeScale: ScaleName;
  /** Recipe config overrides (a partial recipe config, applied over `recipeScale`). */
  recipe: Record<string, unknown>;
  preference: PreferenceScale;
}

/** The scale names. */
export const ABLATION_SCALE_NAMES = ['smoke', 'small'] as const;
/** One of {@link ABLATION_SCALE_NAMES}. */
export type AblationScaleName = (typeof ABLATION_SCALE_NAMES)[number];

/** The scales. */
export const ABLATION_SCALES: Readonly<Record<AblationScaleName, AblationScale>> = {
  smoke: {
    recipeScale: 'tiny',
    recipe: { eval: { probes: 8, verifiable: 6, rewardProbes: 60 } },
    preference: { prompts: 4, steps: 2, numGenerations: 2, batchSize: 2, maxCompletionLength: 6, heldOut: 6, learningRate: 2e-4 },
  },
  small: {
    recipeScale: 'quickstart',
    recipe: {
      rl1: { steps: 6, prompts: 48 },
      eval: { probes: 200, verifiable: 100, rewardProbes: 400 },
    },
    preference: { prompts: 64, steps: 16, numGenerations: 4, batchSize: 4, maxCompletionLength: 24, heldOut: 100, learningRate: 2e-4 },
  },
};

/** The scale called `name`. @throws {@link AblationError} for an unknown name */
export function ablationScale(name: string): AblationScale {
  if (!(ABLATION_SCALE_NAMES as readonly string[]).includes(name)) {
    throw new AblationError('cli', `--scale must be one of ${ABLATION_SCALE_NAMES.join(', ')}, got '${name}'`);
  }
  return ABLATION_SCALES[name as AblationScaleName];
}
