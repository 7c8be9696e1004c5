/**
 * The report's effects at small scale, from the evaluation results: each a comparison of two accuracies with its
 * 95% interval, marked "appeared" only when the interval of the difference lies above zero.
 *
 * @packageDocumentation
 */
import type { EvalResults } from '../stages/evaluate';
import { difference, type Accuracy, type Difference } from './interval';

/** One effect. */
export interface Effect {
  name: string;
  /** What is measured. */
  metric: string;
  baselineLabel: string;
  treatmentLabel: string;
  baseline: Accuracy;
  treatment: Accuracy;
  difference: Difference;
  /** The QuarkMed report's figure, for comparison. */
  paper: string;
}

/** The four effects of the quickstart (those the evaluation could measure). */
export function computeEffects(r: EvalResults): Effect[] {
  const out: Effect[] = [];
  const push = (name: string, metric: string, bl: string, tl: string, b: Accuracy | undefined | null, t: Accuracy | undefined | null, paper: string): void => {
    if (b && t) out.push({ name, metric, baselineLabel: bl, treatmentLabel: tl, baseline: b, treatment: t, difference: difference(b, t), paper });
  };
  push('knowledge translation vs none', 'probe accuracy (pre-trained models)', 'no KG text', 'KG translation', r.probes['pretrain-baseline'], r.probes.pretrain, '39% -> 60.57%');
  const rl = r.verifiable.rl2 ? 'rl2' : r.verifiable.rl1 ? 'rl1' : undefined;
  push('RL vs SFT', 'verifiable accuracy', 'sft', rl ?? 'rl', r.verifiable.sft, rl ? r.verifiable[rl] : undefined, 'RL improves verifiable accuracy');
  push('hybrid verifier vs rule-only', 'stage-1 reward accuracy', 'rule-only', 'hybrid', r.rewardAccuracy?.ruleOnly, r.rewardAccuracy?.hybrid, '+3 points on diagnosis');
  push('retrieval vs none', `probe accuracy (${r.finalModel ?? 'final'} model)`, 'no retrieval', 'retrieval', r.finalModel ? r.probes[r.finalModel] : undefined, r.probesWithRetrieval, 'retrieval helps knowledge questions');
  return out;
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');
const pp = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}` : 'n/a');

/** One row of text per effect: both accuracies with intervals, the difference with its interval, and a verdict. */
export function effectRows(effects: readonly Effect[]): string[][] {
  return effects.map((e) => [
    e.name,
    `${pct(e.baseline.value)} [${pct(e.baseline.low)}, ${pct(e.baseline.high)}] (n=${e.baseline.total})`,
    `${pct(e.treatment.value)} [${pct(e.treatment.low)}, ${pct(e.treatment.high)}] (n=${e.treatment.total})`,
    `${pp(e.difference.value)} pts [${pp(e.difference.low)}, ${pp(e.difference.high)}]`,
    e.baseline.total === 0 || e.treatment.total === 0
      ? 'not measured (no items)'
      : e.difference.significant
        ? 'appeared'
        : e.difference.high < 0
          ? 'reversed'
          : 'did not appear (CI includes 0)',
  ]);
}

/** The effects as a plain-text table. */
export function formatEffectsTable(effects: readonly Effect[]): string {
  const header = ['effect', 'baseline [95% CI]', 'treatment [95% CI]', 'difference [95% CI]', 'verdict'];
  const rows = [header, ...effectRows(effects)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
