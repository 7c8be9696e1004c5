/**
 * One evaluation job as the CLI runs it: a benchmark (a file, or the knowledge probes) on a model, without and/or
 * with retrieval, with predictions files and a report written atomically into an output folder. Predictions
 * already in the folder from an interrupted or earlier run are reused (same model, prompt and parameters), so a
 * rerun generates only what is missing.
 *
 * Files in `out`: `predictions.jsonl` (no retrieval), `predictions.retrieval.jsonl` (with retrieval),
 * `report.json` (the reports of the runs).
 *
 * @packageDocumentation
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Retriever } from '@quarkmed/rag';
import { writeFileAtomic } from '@quarkmed/model/node';
import { evaluate, rescore, type EvalRun } from '../../eval/harness';
import type { Prediction } from '../../eval/predictions';
import type { ScoringOptions } from '../../eval/scoring';
import type { LikelihoodContinuation, LikelihoodMetric, ScoringMode } from '../../eval/likelihood';
import type { EvalItem } from '../../eval/types';
import type { EvalModel, GenerationParams } from '../../models/eval-model';
import { readPredictionsFile, writePredictionsFile } from './predictions-file';

/** Options of {@link runEvalJob}. */
export interface EvalJobOptions extends ScoringOptions {
  items: readonly EvalItem[];
  model: EvalModel;
  /** Runs with retrieval through this retriever. */
  retriever?: Retriever;
  /** With a retriever: also run without retrieval (default false). */
  compare?: boolean;
  /** Output folder for predictions and the report (none: nothing is written). */
  out?: string;
  limit?: number;
  concurrency?: number;
  params?: GenerationParams;
  /** `generate` (default) or `likelihood` (see `evaluate`). */
  scoring?: ScoringMode;
  likelihoodMetric?: LikelihoodMetric;
  likelihoodContinuation?: LikelihoodContinuation;
  maxPassages?: number;
  onPrediction?: (p: Prediction, done: number, total: number) => void;
  signal?: AbortSignal;
}

/** The file of a run's predictions in the output folder. */
export function predictionsPath(out: string, retrieval: boolean): string {
  return join(out, retrieval ? 'predictions.retrieval.jsonl' : 'predictions.jsonl');
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the job (see the module documentation).
 *
 * @returns the runs: without retrieval first (when run), then with retrieval.
 */
export async function runEvalJob(options: EvalJobOptions): Promise<EvalRun[]> {
  const modes: boolean[] = options.retriever ? (options.compare ? [false, true] : [true]) : [false];
  const runs: EvalRun[] = [];
  for (const withRetrieval of modes) {
    const file = options.out !== undefined ? predictionsPath(options.out, withRetrieval) : undefined;
    const previous = file !== undefined && (await exists(file)) ? await readPredictionsFile(file) : [];
    const run = await evaluate({
      ...options,
      ...(withRetrieval ? { retriever: options.retriever } : { retriever: undefined }),
      previous,
    });
    if (file !== undefined) await writePredictionsFile(file, run.predictions);
    runs.push(run);
  }
  if (options.out !== undefined) await writeFileAtomic(join(options.out, 'report.json'), `${JSON.stringify(runs.map((r) => r.report), null, 2)}\n`);
  return runs;
}

/** Rescores predictions files without generating (optionally writing `report.json` into `out`). */
export async function rescoreFiles(paths: readonly string[], options: ScoringOptions & { out?: string } = {}): Promise<EvalRun[]> {
  const runs: EvalRun[] = [];
  for (const p of paths) runs.push(await rescore(await readPredictionsFile(p), options));
  if (options.out !== undefined) await writeFileAtomic(join(options.out, 'report.json'), `${JSON.stringify(runs.map((r) => r.report), null, 2)}\n`);
  return runs;
}
