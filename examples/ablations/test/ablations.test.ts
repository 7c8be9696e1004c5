/**
 * The four ablations at the smoke scale (the recipe's tiny model; one shared base run): each prints a well-formed
 * table (proportions in [0, 1], every interval ordered around its estimate) and writes its HTML report; the
 * verifier arms really differ (rule-only and hybrid disagree on labelled completions, and each arm trained with
 * its own verifier).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '@quarkmed/pipeline/node';
import type { ExperimentOptions } from '../src/experiment-options';
import { EXPERIMENTS, EXPERIMENT_NAMES, type ExperimentName } from '../src/experiments/registry';
import { recipeSupportsVerifier, verifierArmOverrides } from '../src/experiments/verifier';
import type { ExperimentResult } from '../src/results';
import { ABLATION_SCALES } from '../src/scales';

const dir = mkdtempSync(join(tmpdir(), 'qm-ablations-'));
const options: ExperimentOptions = { out: dir, scale: ABLATION_SCALES.smoke, scaleName: 'smoke', seed: 1234, backend: 'wasm' };
const results = new Map<ExperimentName, ExperimentResult>();

beforeAll(async () => {
  for (const name of EXPERIMENT_NAMES) results.set(name, await EXPERIMENTS[name](options));
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(EXPERIMENT_NAMES)('ablation %s (smoke scale)', (name) => {
  it('has estimates and contrasts with ordered 95% intervals', () => {
    const r = results.get(name)!;
    expect(r.estimates.length).toBeGreaterThanOrEqual(2);
    expect(r.contrasts.length).toBeGreaterThanOrEqual(1);
    for (const e of r.estimates) {
      if (e.kind === 'proportion') {
        expect(e.low, `${e.arm} ${e.metric}`).toBeGreaterThanOrEqual(0);
        expect(e.high, `${e.arm} ${e.metric}`).toBeLessThanOrEqual(1);
        if (e.n > 0) expect(e.value).toBeCloseTo(e.correct! / e.n, 12);
      }
      if (e.n === 0) continue; // a win rate with every answer tied: n/a with the interval [0, 1]
      expect(e.low, `${e.arm} ${e.metric}`).toBeLessThanOrEqual(e.value);
      expect(e.value, `${e.arm} ${e.metric}`).toBeLessThanOrEqual(e.high);
    }
    for (const c of r.contrasts) {
      expect(c.n).toBeGreaterThan(0);
      expect(c.low, c.metric).toBeLessThanOrEqual(c.value);
      expect(c.value, c.metric).toBeLessThanOrEqual(c.high);
      if (c.method !== 'paired-mean') {
        expect(c.low).toBeGreaterThanOrEqual(-1);
        expect(c.high).toBeLessThanOrEqual(1);
      }
    }
  });

  it('prints a table with a row per estimate and per contrast, and writes the HTML report with it', () => {
    const r = results.get(name)!;
    const [est, con] = r.table.split('\n\n');
    expect(est!.split('\n')).toHaveLength(2 + r.estimates.length);
    expect(con!.split('\n')).toHaveLength(2 + r.contrasts.length);
    expect(r.table).toMatch(/95% CI/);
    expect(r.report).toBe(join(dir, `${name}.html`));
    const html = readFileSync(r.report, 'utf8');
    expect(html).toContain('<pre id="ablation-table">');
    expect(html).toContain(r.estimates[0]!.metric);
    expect(html).toContain('uPlot');
  });
});

describe('the arms differ', () => {
  it('knowledge and retrieval compare different prediction files of the base run', () => {
    for (const f of ['pretrain-baseline.jsonl', 'pretrain.jsonl', 'sft.jsonl', 'sft.retrieval.jsonl']) expect(existsSync(join(dir, 'base/stages/eval/predictions', f)), f).toBe(true);
    const k = results.get('knowledge')!;
    expect(k.estimates.map((e) => e.arm)).toEqual(['no KG text', 'KG translation']);
  });

  it('rule-only and hybrid verifiers disagree on the labelled completions (hybrid credits a synonym of the gold option)', () => {
    const v = results.get('verifier')!;
    const reward = (arm: string) => v.estimates.find((e) => e.arm === arm && e.metric.startsWith('stage-1 reward accuracy'))!;
    expect(reward('hybrid').correct!).toBeGreaterThan(reward('rule-only').correct!);
    expect(reward('hybrid').n).toBe(reward('rule-only').n);
  });

  it('each verifier arm trained rl1 with its own verifier from the base run SFT checkpoint', async () => {
    for (const mode of ['rule-only', 'hybrid'] as const) {
      const m = await readManifest(join(dir, `verifier-${mode}`));
      expect(m!.config.rl1.verifier).toBe(mode);
      expect(m!.config.rl1.initCheckpoint).toBe(join(dir, 'base/stages/sft'));
      expect(m!.stages.rl1!.metrics.verifier).toBe(mode);
    }
    expect(verifierArmOverrides('hybrid', 'x')).not.toEqual(verifierArmOverrides('rule-only', 'x'));
    expect(recipeSupportsVerifier('rule-only') && recipeSupportsVerifier('hybrid')).toBe(true);
  });

  it('DPO and GRPO arms have their own rows per reward-model head', () => {
    const d = results.get('dpo-grpo')!;
    for (const h of ['honesty', 'helpfulness', 'compliance', 'consistency']) {
      expect(d.estimates.filter((e) => e.metric === `${h}: reward-model score (mean)`).map((e) => e.arm)).toEqual(['SFT', 'DPO', 'GRPO']);
      expect(d.contrasts.some((c) => c.metric === `${h}: reward-model score` && c.treatment === 'GRPO' && c.baseline === 'DPO')).toBe(true);
    }
  });
});
