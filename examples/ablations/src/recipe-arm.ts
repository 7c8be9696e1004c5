/**
 * One arm of an ablation that is a recipe run: the recipe of `@quarkmed/pipeline` (its public API: config under a
 * named scale, `runRecipe`, `writeReport`) in its own run directory, so a re-run resumes it and two experiments that
 * need the same run (the shared base run) train it once.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeConfig, parseRecipeConfig, rescore, withScale, type EvalResults, type RecipeConfig } from '@quarkmed/pipeline';
import { ProgressReporter, readPredictionsFile, runRecipe, writeReport, type RunManifest } from '@quarkmed/pipeline/node';
import type { BackendName } from '@quarkmed/tensor-kernels';
import { AblationError } from './error';
import type { AblationScale } from './scales';

/** Options of {@link runRecipeArm}. */
export interface RecipeArmOptions {
  /** The experiment (for error messages). */
  experiment: string;
  runDir: string;
  scale: AblationScale;
  seed: number;
  backend: BackendName | 'auto';
  /** Recipe config overrides of this arm (over the scale's). */
  overrides: Record<string, unknown>;
  /** Print progress lines (JSON) to stderr; the run directory's events.jsonl gets them either way. */
  verbose?: boolean;
}

/** A finished recipe arm. */
export interface RecipeArm {
  runDir: string;
  config: RecipeConfig;
  manifest: RunManifest;
  eval: EvalResults;
  /** The arm's own recipe report (`<runDir>/report.html`). */
  report: string;
}

/** The resolved recipe config of an arm (the scale's recipe scale, its overrides, the arm's, seed and backend). */
export function armConfig(scale: AblationScale, seed: number, backend: BackendName | 'auto', overrides: Record<string, unknown>): RecipeConfig {
  return parseRecipeConfig(withScale(scale.recipeScale, mergeConfig(mergeConfig(scale.recipe, overrides), { seed, backend })));
}

/** Runs (or resumes) one arm and reads its evaluation. @throws {@link AblationError} when the run has no eval results */
export async function runRecipeArm(o: RecipeArmOptions): Promise<RecipeArm> {
  const config = armConfig(o.scale, o.seed, o.backend, o.overrides);
  const progress = new ProgressReporter({ logFile: join(o.runDir, 'events.jsonl'), out: process.stderr, tty: false, silent: !o.verbose });
  let manifest: RunManifest;
  try {
    ({ manifest } = await runRecipe({ runDir: o.runDir, config, progress }));
  } finally {
    progress.close();
  }
  const { path, eval: ev } = await writeReport(o.runDir);
  if (!ev) throw new AblationError(o.experiment, `${o.runDir}: the recipe run has no eval results (stages/eval/eval.json)`);
  return { runDir: o.runDir, config, manifest, eval: ev, report: path };
}

/**
 * Per-item correctness of one model's predictions in a run (`stages/eval/predictions/<file>`), rescored by the
 * harness, in the file's order.
 */
export async function itemOutcomes(runDir: string, file: string): Promise<{ itemId: string; correct: boolean; kind: string; responseType: string | null }[]> {
  const path = join(runDir, 'stages', 'eval', 'predictions', file);
  const predictions = await readPredictionsFile(path);
  const run = await rescore(predictions);
  const verdicts = new Map(run.scores.map((s) => [s.itemId, s.verdict]));
  return predictions.map((p) => ({
    itemId: p.itemId,
    correct: verdicts.get(p.itemId) === 'correct',
    kind: p.item.kind,
    responseType: p.item.kind === 'multiple-choice' ? p.item.responseType : null,
  }));
}

/** Outcomes of two prediction files over the same items (the second reordered to the first). */
export async function pairedOutcomes(experiment: string, a: { runDir: string; file: string }, b: { runDir: string; file: string }, keep?: (itemId: string) => boolean): Promise<{ baseline: boolean[]; treatment: boolean[] }> {
  const xa = await itemOutcomes(a.runDir, a.file);
  const xb = new Map((await itemOutcomes(b.runDir, b.file)).map((x) => [x.itemId, x.correct]));
  const baseline: boolean[] = [];
  const treatment: boolean[] = [];
  for (const x of xa) {
    if (keep && !keep(x.itemId)) continue;
    const t = xb.get(x.itemId);
    if (t === undefined) throw new AblationError(experiment, `${join(b.runDir, 'stages/eval/predictions', b.file)} has no prediction for item ${x.itemId} of ${a.file}`);
    baseline.push(x.correct);
    treatment.push(t);
  }
  return { baseline, treatment };
}

/** The eval.json of a run directory (for tests and reports). */
export async function readEvalResults(runDir: string): Promise<EvalResults> {
  return JSON.parse(await readFile(join(runDir, 'stages', 'eval', 'eval.json'), 'utf8')) as EvalResults;
}
