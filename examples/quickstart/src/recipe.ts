/**
 * The main job: the whole QuarkMed recipe of `@quarkmed/pipeline` (corpus synthesis -> tokenizer -> continued
 * pre-training -> instruction tuning -> SFT cold start -> GRPO with verifiable rewards -> GRPO with the reward model
 * -> evaluation) in a run directory, then the report and its table of effects.
 *
 * @packageDocumentation
 */
import { join } from 'node:path';
import { computeEffects, formatEffectsTable, type Effect } from '@quarkmed/pipeline';
import { ProgressReporter, loadRecipeConfig, runRecipe, writeReport } from '@quarkmed/pipeline/node';
import type { BackendName } from '@quarkmed/tensor-kernels';

/** Options of {@link runQuickstartRecipe}. */
export interface QuickstartRecipeOptions {
  backend: BackendName | 'auto';
  seed: number;
  /** Overrides `pretrain.steps`. */
  steps?: number;
  out: string;
  config?: string;
  scale?: string;
  progress?: ProgressReporter;
}

/** What the recipe produced. */
export interface QuickstartRecipeResult {
  backend: string | null;
  effects: Effect[];
  table: string;
  report: string;
  seconds: Record<string, number>;
}

/** Runs (or resumes) the recipe in `out` and writes its report. */
export async function runQuickstartRecipe(o: QuickstartRecipeOptions): Promise<QuickstartRecipeResult> {
  const config = await loadRecipeConfig(o.config, o.scale ?? 'quickstart', {
    backend: o.backend,
    seed: o.seed,
    ...(o.steps !== undefined ? { pretrain: { steps: o.steps } } : {}),
  });
  const progress = o.progress ?? new ProgressReporter({ logFile: join(o.out, 'events.jsonl') });
  const r = await runRecipe({ runDir: o.out, config, progress });
  progress.close();
  const { path, eval: ev } = await writeReport(o.out);
  const effects = ev ? computeEffects(ev) : [];
  return { backend: r.manifest.backend, effects, table: formatEffectsTable(effects), report: path, seconds: r.seconds as Record<string, number> };
}
