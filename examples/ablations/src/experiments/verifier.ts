/**
 * The stage-1 verifier's modes: rule-only vs model-only vs hybrid (the report: the hybrid verifier gains about 3
 * points). Two measurements:
 *
 * - reward accuracy: how often each verifier's reward agrees with labelled completions (the eval stage's reward
 *   probes: gold letter, wrong letter, gold option by a synonym, a distractor's name); no policy involved;
 * - stage-1 accuracy: the same SFT policy (the base run's) trained by GRPO (`rl1`, same steps, prompts and seed)
 *   with each verifier as its reward, then its verifiable accuracy on the held-out probes, paired against the
 *   rule-only arm and against the SFT policy itself.
 *
 * The recipe's `rl1.verifier` takes the modes its schema accepts (`hybrid`, `rule-only` today); a mode it rejects
 * is listed as not measured, with the reason, and joins automatically once the schema accepts it.
 *
 * @packageDocumentation
 */
import { join } from 'node:path';
import { difference, recipeConfigSchema, wilson, type Accuracy } from '@quarkmed/pipeline';
import type { Curve } from '@quarkmed/pipeline';
import { AblationError } from '../error';
import { baseSftDir, runBase, type ExperimentOptions } from '../experiment-options';
import { pairedDifference } from '../paired-difference';
import { itemOutcomes, pairedOutcomes, runRecipeArm, type RecipeArm } from '../recipe-arm';
import { estimateCurves, writeExperimentReport } from '../report';
import type { Contrast, Estimate, ExperimentResult } from '../results';
import { formatResultTables } from '../table';
import { accuracyEstimate } from './knowledge';

const NAME = 'verifier';

/** The verifier modes of the experiment, in table order. */
export const VERIFIER_MODES = ['rule-only', 'model-only', 'hybrid'] as const;
/** One of {@link VERIFIER_MODES}. */
export type VerifierMode = (typeof VERIFIER_MODES)[number];

/** Whether the recipe's schema accepts `rl1.verifier: mode`. */
export function recipeSupportsVerifier(mode: VerifierMode): boolean {
  return recipeConfigSchema.safeParse({ rl1: { verifier: mode } }).success;
}

/** The config overrides of one arm: only `rl1` runs (from the base run's SFT checkpoint) and `eval`. */
export function verifierArmOverrides(mode: VerifierMode, sftDir: string): Record<string, unknown> {
  return { skip: ['pretrain', 'ift', 'sft', 'rl2'], rl1: { verifier: mode, initCheckpoint: sftDir } };
}

/** The reward accuracy of `mode` from an eval.json (`rewardAccuracy.{ruleOnly, hybrid, modelOnly?}`). */
function rewardAccuracyOf(arm: RecipeArm, mode: VerifierMode): Accuracy | undefined {
  const r = arm.eval.rewardAccuracy as (Record<string, Accuracy | undefined> & object) | null;
  if (!r) return undefined;
  return mode === 'rule-only' ? r.ruleOnly : mode === 'hybrid' ? r.hybrid : r.modelOnly;
}

/** Runs the experiment. */
export async function verifierAblation(o: ExperimentOptions): Promise<ExperimentResult> {
  const t0 = performance.now();
  const base = await runBase(NAME, o);
  const sftDir = baseSftDir(base);
  const modes = VERIFIER_MODES.filter(recipeSupportsVerifier);
  const missing = VERIFIER_MODES.filter((m) => !modes.includes(m));
  if (!modes.includes('rule-only')) throw new AblationError(NAME, "the recipe's rl1.verifier does not accept 'rule-only'");
  const arms = new Map<VerifierMode, RecipeArm>();
  for (const mode of modes) {
    arms.set(mode, await runRecipeArm({ experiment: NAME, runDir: join(o.out, `${NAME}-${mode}`), scale: o.scale, seed: o.seed, backend: o.backend, overrides: verifierArmOverrides(mode, sftDir), verbose: o.verbose ?? false }));
  }
  const rewardMetric = 'stage-1 reward accuracy (labelled completions)';
  const policyMetric = 'stage-1 accuracy of the policy (verifiable probes)';
  const estimates: Estimate[] = [];
  const contrasts: Contrast[] = [];
  const notes: string[] = [];
  const ruleArm = arms.get('rule-only')!;
  for (const mode of modes) {
    const a = rewardAccuracyOf(arms.get(mode)!, mode);
    if (a) estimates.push(accuracyEstimate(mode, rewardMetric, a));
    else if (mode === 'model-only') notes.push("model-only reward accuracy: not measured (the eval stage's rewardAccuracy has no modelOnly entry).");
  }
  const ruleReward = rewardAccuracyOf(ruleArm, 'rule-only');
  for (const mode of modes.filter((m) => m !== 'rule-only')) {
    const a = rewardAccuracyOf(arms.get(mode)!, mode);
    if (a && ruleReward) {
      const d = difference(ruleReward, a);
      contrasts.push({ metric: rewardMetric, baseline: 'rule-only', treatment: mode, value: d.value, low: d.low, high: d.high, n: a.total, method: 'unpaired' });
    }
  }
  const sft = base.eval.verifiable.sft;
  if (sft) estimates.push(accuracyEstimate('SFT policy (no RL)', policyMetric, sft));
  for (const mode of modes) {
    const v = arms.get(mode)!.eval.verifiable.rl1;
    if (!v) throw new AblationError(NAME, `${arms.get(mode)!.runDir}: eval.json has no verifiable.rl1`);
    estimates.push(accuracyEstimate(`GRPO with ${mode} reward`, policyMetric, v));
  }
  // the verifiable probes: the first eval.verifiable single-answer multiple-choice probes (as the eval stage counts them)
  const outcomes = await itemOutcomes(ruleArm.runDir, 'rl1.jsonl');
  const verifiableIds = new Set(outcomes.filter((x) => x.kind === 'multiple-choice' && x.responseType === 'single').slice(0, base.config.eval.verifiable).map((x) => x.itemId));
  const checked = wilson(outcomes.filter((x) => verifiableIds.has(x.itemId) && x.correct).length, verifiableIds.size);
  const reported = ruleArm.eval.verifiable.rl1!;
  if (checked.correct !== reported.correct || checked.total !== reported.total) {
    throw new AblationError(NAME, `rescored verifiable accuracy ${checked.correct}/${checked.total} differs from eval.json's ${reported.correct}/${reported.total} (${ruleArm.runDir})`);
  }
  const keep = (id: string): boolean => verifiableIds.has(id);
  for (const mode of modes.filter((m) => m !== 'rule-only')) {
    const { baseline, treatment } = await pairedOutcomes(NAME, { runDir: ruleArm.runDir, file: 'rl1.jsonl' }, { runDir: arms.get(mode)!.runDir, file: 'rl1.jsonl' }, keep);
    const d = pairedDifference(baseline, treatment, NAME);
    contrasts.push({ metric: policyMetric, baseline: 'GRPO rule-only', treatment: `GRPO ${mode}`, value: d.value, low: d.low, high: d.high, n: d.n, method: 'paired' });
  }
  for (const mode of modes) {
    const { baseline, treatment } = await pairedOutcomes(NAME, { runDir: base.runDir, file: 'sft.jsonl' }, { runDir: arms.get(mode)!.runDir, file: 'rl1.jsonl' }, keep);
    const d = pairedDifference(baseline, treatment, NAME);
    contrasts.push({ metric: policyMetric, baseline: 'SFT', treatment: `GRPO ${mode}`, value: d.value, low: d.low, high: d.high, n: d.n, method: 'paired' });
  }
  for (const m of missing) {
    notes.push(`${m}: not trained (the recipe's rl1.verifier accepts ${modes.join(', ')} only; adding '${m}' to its enum in packages/pipeline/src/config/schema.ts makes this experiment run it).`);
  }
  notes.push(
    `Every arm starts from the SFT checkpoint ${sftDir} with rl1 at the same steps (${ruleArm.config.rl1.steps}), prompts and seed; only rl1.verifier differs. ` +
      'Reward accuracies of the modes are computed on the same labelled completions, but eval.json keeps counts only, so their difference uses the unpaired interval (conservative).',
  );
  const rewardCurves: Curve[] = modes.flatMap((m) => (arms.get(m)!.manifest.stages.rl1?.curves ?? []).filter((c) => c.metric === 'reward').map((c) => ({ ...c, label: m })));
  const table = formatResultTables(estimates, contrasts);
  const report = await writeExperimentReport(join(o.out, `${NAME}.html`), {
    title: `Ablation: stage-1 verifier rule-only vs model-only vs hybrid (scale ${o.scaleName}, seed ${o.seed})`,
    table,
    notes,
    plots: [{ name: 'rl1 reward by verifier', curves: rewardCurves }, ...estimateCurves(estimates)],
    eval: null,
    config: Object.fromEntries(modes.map((m) => [m, arms.get(m)!.config])),
    packages: base.manifest.packages,
  });
  return { experiment: NAME, title: 'verifier rule-only vs model-only vs hybrid', estimates, contrasts, notes, table, report, seconds: (performance.now() - t0) / 1000 };
}
