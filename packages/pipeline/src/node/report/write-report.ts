/**
 * Writes `<run>/report.html` from a run directory's manifest and evaluation, with uPlot's files read from its
 * installed package and inlined (the report opens offline).
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '@quarkmed/model/node';
import { STAGE_NAMES } from '../../config/stage-names';
import { PipelineError } from '../../error';
import { renderReportHtml, type PlotLibrary, type ReportData } from '../../report/html';
import type { EvalResults } from '../../stages/evaluate';
import { readManifest, type RunManifest } from '../run/manifest';

/** A run directory without a manifest: names the directory. */
export class ReportInputError extends PipelineError {}

/** uPlot's IIFE bundle and CSS from its package. */
export async function loadPlotLibrary(): Promise<PlotLibrary> {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('uplot'));
  return { js: await readFile(join(dist, 'uPlot.iife.min.js'), 'utf8'), css: await readFile(join(dist, 'uPlot.min.css'), 'utf8') };
}

/** The report's data from a manifest and the eval stage's results. */
export async function reportData(runDir: string, manifest: RunManifest): Promise<ReportData> {
  let evalResults: EvalResults | null = null;
  if (manifest.stages.eval) {
    evalResults = JSON.parse(await readFile(join(runDir, 'stages', 'eval', 'eval.json'), 'utf8')) as EvalResults;
  }
  return {
    title: `QuarkMed recipe run: ${runDir}`,
    stages: STAGE_NAMES.flatMap((n) => {
      const s = manifest.stages[n];
      return s ? [{ name: n, seconds: s.seconds, metrics: s.metrics, curves: s.curves }] : [];
    }),
    eval: evalResults,
    config: manifest.config,
    packages: manifest.packages,
  };
}

/**
 * Writes the report of `runDir` to `out` (default `<runDir>/report.html`), atomically.
 *
 * @returns the report's path and the evaluation results (null when the eval stage has not run)
 * @throws {@link ReportInputError} when `runDir` holds no run manifest
 */
export async function writeReport(runDir: string, out?: string): Promise<{ path: string; eval: EvalResults | null }> {
  const dir = resolve(runDir);
  const manifest = await readManifest(dir);
  if (!manifest) throw new ReportInputError(`${dir}: no manifest.json (not a run directory; run \`quarkmed run\` first)`);
  const data = await reportData(dir, manifest);
  const path = resolve(out ?? join(dir, 'report.html'));
  await writeFileAtomic(path, renderReportHtml(data, await loadPlotLibrary()));
  return { path, eval: data.eval };
}
