/** The paired difference interval, the mean interval, and the command line of the ablations. */
import { describe, expect, it } from 'vitest';
import { difference, wilson } from '@quarkmed/pipeline';
import { parseAblationArgs } from '../src/cli';
import { AblationError } from '../src/error';
import { meanInterval } from '../src/mean-interval';
import { pairedDifference } from '../src/paired-difference';
import { formatResultTables } from '../src/table';

const outcomes = (counts: { both: number; t: number; b: number; neither: number }): { baseline: boolean[]; treatment: boolean[] } => {
  const baseline: boolean[] = [];
  const treatment: boolean[] = [];
  const push = (k: number, x: boolean, y: boolean) => {
    for (let i = 0; i < k; i++) {
      baseline.push(x);
      treatment.push(y);
    }
  };
  push(counts.both, true, true);
  push(counts.t, false, true);
  push(counts.b, true, false);
  push(counts.neither, false, false);
  return { baseline, treatment };
};

describe('pairedDifference (Newcombe 1998, paired, method 10)', () => {
  it('counts the 2×2 table and gives the difference of the accuracies', () => {
    const { baseline, treatment } = outcomes({ both: 30, t: 12, b: 3, neither: 15 });
    const d = pairedDifference(baseline, treatment);
    expect(d).toMatchObject({ n: 60, both: 30, onlyTreatment: 12, onlyBaseline: 3, neither: 15 });
    expect(d.value).toBeCloseTo((42 - 33) / 60, 12);
    expect(d.low).toBeLessThan(d.value);
    expect(d.high).toBeGreaterThan(d.value);
  });

  it('reverses exactly when the arms are swapped', () => {
    const { baseline, treatment } = outcomes({ both: 20, t: 9, b: 4, neither: 7 });
    const a = pairedDifference(baseline, treatment);
    const b = pairedDifference(treatment, baseline);
    expect(b.value).toBeCloseTo(-a.value, 12);
    expect(b.low).toBeCloseTo(-a.high, 12);
    expect(b.high).toBeCloseTo(-a.low, 12);
  });

  it('is narrower than the unpaired interval when the arms agree on most items', () => {
    const { baseline, treatment } = outcomes({ both: 40, t: 8, b: 1, neither: 31 });
    const p = pairedDifference(baseline, treatment);
    const u = difference(wilson(41, 80), wilson(48, 80));
    expect(u.value).toBeCloseTo(p.value, 12);
    expect(p.high - p.low).toBeLessThan(u.high - u.low);
    expect(p.low).toBeGreaterThan(0); // 8 vs 1 discordant: the paired interval excludes 0 ...
    expect(u.low).toBeLessThan(0); // ... the unpaired one does not
  });

  it('gives identical arms an interval around 0, not a point, and stays in [−1, 1]', () => {
    const same = outcomes({ both: 3, t: 0, b: 0, neither: 3 });
    const d = pairedDifference(same.baseline, same.treatment);
    expect(d.value).toBe(0);
    expect(d.low).toBeLessThan(-0.1);
    expect(d.high).toBeGreaterThan(0.1);
    const extreme = outcomes({ both: 0, t: 10, b: 0, neither: 0 });
    const e = pairedDifference(extreme.baseline, extreme.treatment);
    expect(e.value).toBe(1);
    expect(e.high).toBe(1);
    expect(e.low).toBeGreaterThan(0.5);
  });

  it('rejects arms of different lengths and empty arms, naming the experiment', () => {
    expect(() => pairedDifference([true], [true, false], 'knowledge')).toThrow(/knowledge: arms answered different numbers of items \(1 vs 2\)/);
    expect(() => pairedDifference([], [], 'knowledge')).toThrow(AblationError);
  });
});

describe('meanInterval', () => {
  it('is mean ± 1.96·sd/√n', () => {
    const m = meanInterval([1, 2, 3, 4]);
    const sd = Math.sqrt(((1.5 ** 2 + 0.5 ** 2) * 2) / 3);
    expect(m.value).toBe(2.5);
    expect(m.high - m.value).toBeCloseTo((1.959963984540054 * sd) / 2, 12);
    expect(meanInterval([0.3])).toMatchObject({ value: 0.3, low: 0.3, high: 0.3, n: 1 });
  });

  it('rejects no values and non-finite values', () => {
    expect(() => meanInterval([], 'dpo')).toThrow(/dpo: no values/);
    expect(() => meanInterval([1, Number.NaN], 'dpo')).toThrow(/dpo: value 1 is not finite/);
  });
});

describe('formatResultTables', () => {
  it('prints percentages for proportions, signed scores for means, and a verdict', () => {
    const t = formatResultTables(
      [
        { arm: 'a', metric: 'acc', kind: 'proportion', value: 0.5, low: 0.25, high: 0.75, n: 8, correct: 4 },
        { arm: 'b', metric: 'score', kind: 'mean', value: -0.25, low: -0.5, high: 0, n: 8 },
      ],
      [{ metric: 'acc', baseline: 'a', treatment: 'b', value: 0.1, low: 0.02, high: 0.2, n: 8, method: 'paired' }],
    );
    expect(t).toContain('50.0% [25.0%, 75.0%]');
    expect(t).toContain('4/8');
    expect(t).toContain('−0.250 [−0.500, +0.000]');
    expect(t).toContain('+10.0 pts [+2.0, +20.0]');
    expect(t).toContain('treatment better (CI excludes 0)');
  });
});

describe('parseAblationArgs', () => {
  it('takes an experiment (or all) and the options', () => {
    const a = parseAblationArgs(['knowledge', '--scale', 'smoke', '--seed', '7', '--out', '/tmp/x']);
    expect(a).toMatchObject({ experiments: ['knowledge'], scaleName: 'smoke', seed: 7, out: '/tmp/x', backend: 'auto' });
    expect(parseAblationArgs(['all']).experiments).toEqual(['verifier', 'retrieval', 'dpo-grpo', 'knowledge']);
    expect(parseAblationArgs(['all']).scaleName).toBe('small');
  });

  it('rejects bad command lines with the reason', () => {
    const bad: [string[], RegExp][] = [
      [[], /expected one experiment name, got none/],
      [['nope'], /unknown experiment 'nope'/],
      [['knowledge', '--scale', 'huge'], /--scale must be one of smoke, small/],
      [['knowledge', '--seed', 'x'], /--seed must be an integer/],
      [['knowledge', '--backend', 'gpu'], /--backend must be one of/],
      [['knowledge', '--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    for (const [argv, message] of bad) expect(() => parseAblationArgs(argv), argv.join(' ')).toThrow(message);
  });
});
