/**
 * Retrieval vs parametric recall on the knowledge probes: the base run's final model (the SFT policy) answers the
 * held-out probes from its weights alone and again with BM25 passages over the corpus (the harness's retrieval
 * path); the difference is paired over the probes.
 *
 * @packageDocumentation
 */
import { join } from 'node:path';
import { AblationError } from '../error';
import { runBase, type ExperimentOptions } from '../experiment-options';
import { pairedDifference } from '../paired-difference';
import { pairedOutcomes } from '../recipe-arm';
import { estimateCurves, writeExperimentReport } from '../report';
import type { ExperimentResult } from '../results';
import { formatResultTables } from '../table';
import { accuracyEstimate } from './knowledge';

const NAME = 'retrieval';

/** Runs the experiment. */
export async function retrievalAblation(o: ExperimentOptions): Promise<ExperimentResult> {
  const t0 = performance.now();
  const base = await runBase(NAME, o);
  const final = base.eval.finalModel;
  const parametric = final ? base.eval.probes[final] : undefined;
  const retrieved = base.eval.probesWithRetrieval;
  if (!final || !parametric || !retrieved) throw new AblationError(NAME, `${base.runDir}: eval.json has no final model evaluated with and without retrieval`);
  const metric = `probe accuracy (${final} model)`;
  const estimates = [accuracyEstimate('parametric (no retrieval)', metric, parametric), accuracyEstimate(`BM25 retrieval (k=${base.config.eval.retrievalK})`, metric, retrieved)];
  const { baseline, treatment } = await pairedOutcomes(NAME, { runDir: base.runDir, file: `${final}.jsonl` }, { runDir: base.runDir, file: `${final}.retrieval.jsonl` });
  const d = pairedDifference(baseline, treatment, NAME);
  const contrasts = [{ metric, baseline: 'parametric', treatment: 'retrieval', value: d.value, low: d.low, high: d.high, n: d.n, method: 'paired' as const }];
  const notes = [
    `The ${final} model of the base run (${base.runDir}), the same held-out probes, with and without ${base.config.eval.retrievalK} BM25 passages over the run's corpus. ` +
      `Paired outcomes: both right ${d.both}, only with retrieval ${d.onlyTreatment}, only without ${d.onlyBaseline}, both wrong ${d.neither}.`,
  ];
  const table = formatResultTables(estimates, contrasts);
  const report = await writeExperimentReport(join(o.out, `${NAME}.html`), {
    title: `Ablation: retrieval vs parametric recall (scale ${o.scaleName}, seed ${o.seed})`,
    table,
    notes,
    plots: estimateCurves(estimates),
    eval: base.eval,
    config: base.config,
    packages: base.manifest.packages,
  });
  return { experiment: NAME, title: 'retrieval vs parametric recall', estimates, contrasts, notes, table, report, seconds: (performance.now() - t0) / 1000 };
}
