/**
 * Knowledge translation vs none (the report: probe accuracy 39% → 60.57%): the base run pre-trains the same model
 * twice with the same seed and steps, on the corpus with and without the knowledge graph's sentences, and the
 * eval stage answers the same held-out knowledge probes with both; the difference is paired over the probes.
 *
 * @packageDocumentation
 */
import { join } from 'node:path';
import type { Accuracy } from '@quarkmed/pipeline';
import { AblationError } from '../error';
import { runBase, type ExperimentOptions } from '../experiment-options';
import { pairedDifference } from '../paired-difference';
import { pairedOutcomes } from '../recipe-arm';
import { estimateCurves, writeExperimentReport } from '../report';
import type { Estimate, ExperimentResult } from '../results';
import { formatResultTables } from '../table';

const NAME = 'knowledge';

/** An estimate of an accuracy of the recipe's eval results. */
export function accuracyEstimate(arm: string, metric: string, a: Accuracy): Estimate {
  return { arm, metric, kind: 'proportion', value: a.value, low: a.low, high: a.high, n: a.total, correct: a.correct };
}

/** Runs the experiment. */
export async function knowledgeTranslationAblation(o: ExperimentOptions): Promise<ExperimentResult> {
  const t0 = performance.now();
  const base = await runBase(NAME, o);
  const without = base.eval.probes['pretrain-baseline'];
  const withKg = base.eval.probes.pretrain;
  if (!without || !withKg) throw new AblationError(NAME, `${base.runDir}: eval.json lacks probes.pretrain-baseline or probes.pretrain (pretrain.ablation must be on)`);
  const metric = 'probe accuracy (held-out KG probes)';
  const estimates = [accuracyEstimate('no KG text', metric, without), accuracyEstimate('KG translation', metric, withKg)];
  const { baseline, treatment } = await pairedOutcomes(NAME, { runDir: base.runDir, file: 'pretrain-baseline.jsonl' }, { runDir: base.runDir, file: 'pretrain.jsonl' });
  const d = pairedDifference(baseline, treatment, NAME);
  const contrasts = [{ metric, baseline: 'no KG text', treatment: 'KG translation', value: d.value, low: d.low, high: d.high, n: d.n, method: 'paired' as const }];
  const notes = [
    `Same model size, steps and seed; corpus with vs without the knowledge graph's sentences (base run ${base.runDir}). ` +
      `Paired outcomes: both right ${d.both}, only KG ${d.onlyTreatment}, only no-KG ${d.onlyBaseline}, both wrong ${d.neither}. The report: 39% → 60.57%.`,
  ];
  const table = formatResultTables(estimates, contrasts);
  const pretrainCurves = base.manifest.stages.pretrain?.curves ?? [];
  const report = await writeExperimentReport(join(o.out, `${NAME}.html`), {
    title: `Ablation: knowledge translation vs none (scale ${o.scaleName}, seed ${o.seed})`,
    table,
    notes,
    plots: [{ name: 'pretrain (KG translation vs none)', curves: pretrainCurves }, ...estimateCurves(estimates)],
    eval: base.eval,
    config: base.config,
    packages: base.manifest.packages,
  });
  return { experiment: NAME, title: 'knowledge translation vs none', estimates, contrasts, notes, table, report, seconds: (performance.now() - t0) / 1000 };
}
