/**
 * The options every experiment takes, and the shared base run: the recipe up to the SFT cold start (with the
 * pre-training baseline without knowledge translation, and the eval stage), in `<out>/base`. The knowledge and
 * retrieval experiments read its evaluation; the verifier and DPO-vs-GRPO experiments start from its SFT policy.
 * Experiments run with the same `--out`, scale, seed and backend share it (the second resumes the finished run).
 *
 * @packageDocumentation
 */
import { join } from 'node:path';
import type { BackendName } from '@quarkmed/tensor-kernels';
import { runRecipeArm, type RecipeArm } from './recipe-arm';
import type { AblationScale } from './scales';

/** Options of every experiment. */
export interface ExperimentOptions {
  /** Output directory: `<out>/base`, `<out>/<experiment>-<arm>`, `<out>/<experiment>.html`. */
  out: string;
  scale: AblationScale;
  /** The scale's name (for titles). */
  scaleName: string;
  seed: number;
  backend: BackendName | 'auto';
  verbose?: boolean;
}

/** The shared base run's config overrides: no RL stages (the experiments add their own). */
export const BASE_OVERRIDES: Readonly<Record<string, unknown>> = { skip: ['rl1', 'rl2'] };

/** Runs (or reuses) the base run in `<out>/base`. */
export function runBase(experiment: string, o: ExperimentOptions): Promise<RecipeArm> {
  return runRecipeArm({ experiment, runDir: join(o.out, 'base'), scale: o.scale, seed: o.seed, backend: o.backend, overrides: { ...BASE_OVERRIDES }, verbose: o.verbose ?? false });
}

/** Directory of the SFT checkpoint of the base run. */
export function baseSftDir(base: RecipeArm): string {
  return join(base.runDir, 'stages', 'sft');
}
