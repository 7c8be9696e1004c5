/**
 * The self-contained HTML report: the plotting library (uPlot) and its CSS are inlined with the data, so the file
 * opens offline. Plots: loss per stage, reward and KL during RL, accuracy after each stage, with and without
 * retrieval; the effects table with intervals; each stage's metrics.
 *
 * @packageDocumentation
 */
import type { Curve, StageOutput } from '../stages/types';
import type { EvalResults } from '../stages/evaluate';
import { computeEffects, effectRows } from './effects';

/** What the report shows. */
export interface ReportData {
  title: string;
  /** Finished stages in run order with their curves and metrics. */
  stages: { name: string; seconds: number; metrics: StageOutput['metrics']; curves: Curve[] }[];
  eval: EvalResults | null;
  config: unknown;
  packages: Record<string, string>;
}

/** The plotting library's files to inline. */
export interface PlotLibrary {
  /** uPlot's IIFE build (`uPlot.iife.min.js`). */
  js: string;
  /** `uPlot.min.css`. */
  css: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** JSON safe inside a script element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

/** Renders the report (pure). */
export function renderReportHtml(data: ReportData, lib: PlotLibrary): string {
  const effects = data.eval ? computeEffects(data.eval) : [];
  const rows = effectRows(effects)
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('\n');
  const metrics = data.stages
    .map((s) => `<tr><td>${esc(s.name)}</td><td>${s.seconds.toFixed(1)} s</td><td><code>${esc(JSON.stringify(s.metrics))}</code></td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(data.title)}</title>
<style>${lib.css}</style>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.plots{display:flex;flex-wrap:wrap;gap:16px}code{font-size:12px}</style>
<script>${lib.js.replace(/<\/script/gi, '<\\/script')}</script>
</head><body>
<h1>${esc(data.title)}</h1>
<h2>Effects at small scale (95% intervals)</h2>
<table><tr><th>effect</th><th>baseline</th><th>treatment</th><th>difference</th><th>verdict</th></tr>
${rows}
</table>
<h2>Training curves</h2><div class="plots" id="curves"></div>
<h2>Accuracy after each stage</h2><div class="plots" id="accuracy"></div>
<h2>Stages</h2><table><tr><th>stage</th><th>time</th><th>metrics</th></tr>
${metrics}
</table>
<h2>Configuration</h2><pre>${esc(JSON.stringify(data.config, null, 2))}</pre>
<p>Packages: ${esc(JSON.stringify(data.packages))}</p>
<script id="report-data" type="application/json">${scriptJson({ stages: data.stages, eval: data.eval })}</script>
<script>
(function () {
  var d = JSON.parse(document.getElementById('report-data').textContent);
  var colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
  function plot(el, title, series) {
    var xs = Array.from(new Set([].concat.apply([], series.map(function (s) { return s.points.map(function (p) { return p[0]; }); })))).sort(function (a, b) { return a - b; });
    var data = [xs].concat(series.map(function (s) { var m = new Map(s.points); return xs.map(function (x) { return m.has(x) ? m.get(x) : null; }); }));
    new uPlot({ title: title, width: 520, height: 260, series: [{ label: 'step' }].concat(series.map(function (s, i) { return { label: s.label, stroke: colors[i % colors.length], spanGaps: true }; })) }, data, el);
  }
  var curves = document.getElementById('curves');
  d.stages.forEach(function (s) {
    var byMetric = {};
    s.curves.forEach(function (c) { if (c.points.length > 0) (byMetric[c.metric] = byMetric[c.metric] || []).push({ label: c.label || c.metric, points: c.points }); });
    Object.keys(byMetric).forEach(function (m) { var div = document.createElement('div'); curves.appendChild(div); plot(div, s.name + ': ' + m, byMetric[m]); });
  });
  if (d.eval) {
    var names = ['pretrain', 'ift', 'sft', 'rl1', 'rl2'].filter(function (n) { return d.eval.probes[n] || d.eval.verifiable[n]; });
    var xs = names.map(function (_, i) { return i + 1; });
    var val = function (o, n) { return o && o[n] ? o[n].value : null; };
    var acc = document.getElementById('accuracy');
    var div = document.createElement('div'); acc.appendChild(div);
    var retrieval = names.map(function (n) { return n === d.eval.finalModel && d.eval.probesWithRetrieval ? d.eval.probesWithRetrieval.value : null; });
    new uPlot({ title: 'accuracy by stage (1=' + names.join(', ') + ')', width: 700, height: 300, scales: { y: { range: [0, 1] } },
      series: [{ label: 'stage' }, { label: 'knowledge probes', stroke: colors[0], points: { size: 8 } }, { label: 'knowledge probes + retrieval', stroke: colors[2], points: { size: 10 } }, { label: 'verifiable', stroke: colors[1], points: { size: 8 } }] },
      [xs, names.map(function (n) { return val(d.eval.probes, n); }), retrieval, names.map(function (n) { return val(d.eval.verifiable, n); })], div);
  }
})();
</script>
</body></html>
`;
}
