/**
 * Runs the QuarkMed recipe through `@quarkmed/pipeline`'s public API: the config file (if any) under a named scale,
 * the command line's backend and seed over it, `runRecipe` in a run directory (a re-run resumes it), then the
 * self-contained HTML report and the table of the report's effects.
 *
 * @packageDocumentation
 */
import { join } from 'node:path';
import { computeEffects, formatEffectsTable, type Effect, type RecipeConfig, type ScaleName } from '@quarkmed/pipeline';
import { ProgressReporter, loadRecipeConfig, runRecipe, writeReport, type RunManifest } from '@quarkmed/pipeline/node';
import type { BackendName } from '@quarkmed/tensor-kernels';

/** Options of {@link runExample}. */
export interface RunExampleOptions {
  /** The run directory (created; a finished or interrupted run there with the same config is resumed). */
  out: string;
  scale: ScaleName;
  /** A recipe config file (YAML or JSON); absent: the scale's defaults. */
  config?: string;
  /** Overrides the config's `backend` (absent: the config's, default `auto`). */
  backend?: BackendName | 'auto';
  /** Overrides the config's `seed` (absent: the config's, default 1234). */
  seed?: number;
  /** Start the backend (default true); false when the caller already started it (the GPU example). */
  initBackend?: boolean;
  /** No progress output (the run directory's events.jsonl still gets every event). */
  silent?: boolean;
}

/** What a run produced. */
export interface RunExampleResult {
  runDir: string;
  config: RecipeConfig;
  manifest: RunManifest;
  /** The backend the recipe started (null when the caller started it). */
  backend: string | null;
  /** Seconds of each stage that ran (stages reused from an earlier run are absent). */
  seconds: Record<string, number>;
  report: string;
  effects: Effect[];
  /** The effects with their 95% intervals as a Markdown table. */
  table: string;
}

/** The resolved recipe config of a run (file, scale, then backend and seed). */
export function exampleConfig(o: Pick<RunExampleOptions, 'scale' | 'config' | 'backend' | 'seed'>): Promise<RecipeConfig> {
  return loadRecipeConfig(o.config, o.scale, { ...(o.backend !== undefined ? { backend: o.backend } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}) });
}

/**
 * Runs (or resumes) the recipe and writes its report.
 *
 * @throws `RecipeConfigError` (file, key path) for a bad config; `StageError` naming the stage that failed
 */
export async function runExample(o: RunExampleOptions): Promise<RunExampleResult> {
  const config = await exampleConfig(o);
  const progress = new ProgressReporter({ logFile: join(o.out, 'events.jsonl'), ...(o.silent ? { silent: true } : {}) });
  let r: Awaited<ReturnType<typeof runRecipe>>;
  try {
    r = await runRecipe({ runDir: o.out, config, progress, initBackend: o.initBackend ?? true });
  } finally {
    progress.close();
  }
  const { path, eval: ev } = await writeReport(o.out);
  const effects = ev ? computeEffects(ev) : [];
  return {
    runDir: o.out,
    config,
    manifest: r.manifest,
    backend: r.backend?.name ?? null,
    seconds: r.seconds as Record<string, number>,
    report: path,
    effects,
    table: formatEffectsTable(effects),
  };
}
