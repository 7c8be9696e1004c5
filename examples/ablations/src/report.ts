/**
 * An experiment's HTML report, written with the pipeline's report renderer (`renderReportHtml`, uPlot inlined by
 * `loadPlotLibrary`, so it opens offline): the experiment's table first, then its plots (each "plot group" is shown
 * the way the recipe report shows a stage: one uPlot chart per metric, one series per label), the recipe's effects
 * table when the experiment has recipe eval results, and its configuration.
 *
 * @packageDocumentation
 */
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { renderReportHtml, type Curve, type EvalResults } from '@quarkmed/pipeline';
import { loadPlotLibrary } from '@quarkmed/pipeline/node';
import { writeFileAtomic } from '@quarkmed/model/node';
import type { Estimate } from './results';

/** A group of plots: one chart per metric of its curves. */
export interface PlotGroup {
  name: string;
  curves: Curve[];
  metrics?: Record<string, number | string | boolean | null>;
  seconds?: number;
}

/** What {@link writeExperimentReport} writes. */
export interface ExperimentReportInput {
  title: string;
  table: string;
  notes: readonly string[];
  plots: readonly PlotGroup[];
  eval: EvalResults | null;
  config: unknown;
  packages: Record<string, string>;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Curves of estimates for the report: for every metric, the value and both interval ends as three series over the
 * arms (x = 1, 2, ... in the order given; the arm names are in the plot title).
 */
export function estimateCurves(estimates: readonly Estimate[]): PlotGroup[] {
  const byMetric = new Map<string, Estimate[]>();
  for (const e of estimates) byMetric.set(e.metric, [...(byMetric.get(e.metric) ?? []), e]);
  return [...byMetric].map(([metric, es]) => ({
    name: `${metric} (x: ${es.map((e, i) => `${i + 1}=${e.arm}`).join(', ')})`,
    curves: [
      { metric: 'value with 95% CI', label: 'value', points: es.map((e, i): [number, number] => [i + 1, e.value]) },
      { metric: 'value with 95% CI', label: 'CI low', points: es.map((e, i): [number, number] => [i + 1, e.low]) },
      { metric: 'value with 95% CI', label: 'CI high', points: es.map((e, i): [number, number] => [i + 1, e.high]) },
    ],
  }));
}

/** Writes the report to `path` (atomically). */
export async function writeExperimentReport(path: string, r: ExperimentReportInput): Promise<string> {
  const html = renderReportHtml(
    {
      title: r.title,
      stages: r.plots.map((p) => ({ name: p.name, seconds: p.seconds ?? 0, metrics: p.metrics ?? {}, curves: p.curves })),
      eval: r.eval,
      config: r.config,
      packages: r.packages,
    },
    await loadPlotLibrary(),
  );
  const section = `</h1>\n<h2>Results (95% intervals)</h2>\n<pre id="ablation-table">${esc(r.table)}</pre>\n${r.notes.map((n) => `<p>${esc(n)}</p>`).join('\n')}`;
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, html.replace('</h1>', section));
  return path;
}
