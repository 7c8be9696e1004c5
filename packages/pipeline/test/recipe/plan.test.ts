import { describe, expect, it } from 'vitest';
import { parseRecipeConfig } from '../../src/config/parse';
import { STAGE_NAMES, type StageName } from '../../src/config/stage-names';
import { planRun } from '../../src/stages/registry';
import { difference, wilson } from '../../src/report/interval';
import { computeEffects, formatEffectsTable } from '../../src/report/effects';
import type { EvalResults } from '../../src/stages/evaluate';

const actions = (plan: ReturnType<typeof planRun>) => Object.fromEntries(plan.map((p) => [p.name, p.action]));

describe('run plan (pure)', () => {
  it('runs every stage of a fresh run in order, each with its own plan', () => {
    const plan = planRun(parseRecipeConfig({}), { finished: new Set() });
    expect(plan.map((p) => p.name)).toEqual([...STAGE_NAMES]);
    expect(plan.every((p) => p.action === 'run')).toBe(true);
    expect(plan.find((p) => p.name === 'rl2')!.details).toMatchObject({ mix: '3:1' });
    expect(plan.find((p) => p.name === 'pretrain')!.details).toMatchObject({ tokens: 120 * 8 * 64 });
  });

  it('reuses finished stages, reruns from the first unfinished one on, and skips what the config says', () => {
    const finished = new Set<StageName>(['corpus', 'tokenizer', 'pretrain', 'sft']);
    expect(actions(planRun(parseRecipeConfig({}), { finished }))).toEqual({
      corpus: 'reuse', tokenizer: 'reuse', pretrain: 'reuse', ift: 'run', sft: 'run', rl1: 'run', rl2: 'run', eval: 'run',
    });
    expect(actions(planRun(parseRecipeConfig({ skip: ['ift', 'rl2'] }), { finished }))).toMatchObject({ ift: 'skip', sft: 'reuse', rl1: 'run', rl2: 'skip' });
  });

  it('runs one stage alone (even when finished) and leaves the others', () => {
    const finished = new Set<StageName>(['corpus', 'tokenizer', 'pretrain']);
    expect(actions(planRun(parseRecipeConfig({}), { finished, only: 'tokenizer' }))).toEqual({
      corpus: 'reuse', tokenizer: 'run', pretrain: 'reuse', ift: 'skip', sft: 'skip', rl1: 'skip', rl2: 'skip', eval: 'skip',
    });
  });
});

describe('intervals and effects', () => {
  it("Newcombe's method 10 reproduces his worked example (56/70 vs 48/80: 0.2000 [0.0524, 0.3339])", () => {
    const d = difference(wilson(48, 80), wilson(56, 70));
    expect(d.value).toBeCloseTo(0.2, 10);
    expect(d.low).toBeCloseTo(0.0524, 4);
    expect(d.high).toBeCloseTo(0.3339, 4);
    expect(d.significant).toBe(true);
    expect(difference(wilson(5, 10), wilson(6, 10)).significant).toBe(false);
  });

  it('marks an effect appeared only when its interval excludes 0, and names unmeasured ones', () => {
    const r: EvalResults = {
      probes: { 'pretrain-baseline': wilson(20, 80), pretrain: wilson(50, 80), rl2: wilson(30, 80) },
      probesWithRetrieval: wilson(31, 80),
      finalModel: 'rl2',
      verifiable: { sft: wilson(2, 40), rl2: wilson(3, 40) },
      rewardAccuracy: null,
    };
    const effects = computeEffects(r);
    expect(effects.map((e) => e.name)).toEqual(['knowledge translation vs none', 'RL vs SFT', 'retrieval vs none']);
    const table = formatEffectsTable(effects);
    expect(table.split('\n')).toHaveLength(5);
    expect(table).toMatch(/knowledge translation vs none .*\| appeared/);
    expect(table).toMatch(/RL vs SFT .*did not appear \(CI includes 0\)/);
    expect(formatEffectsTable(computeEffects({ ...r, verifiable: { sft: wilson(0, 0), rl1: wilson(0, 0) } }))).toMatch(/RL vs SFT .*not measured/);
  });
});
