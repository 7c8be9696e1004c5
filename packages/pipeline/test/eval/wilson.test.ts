import { describe, expect, it } from 'vitest';
import { EvalOptionError, wilsonInterval, Z_95 } from '../../src/index';

describe('Wilson score interval', () => {
  it('matches the published values of Newcombe (1998), method 3, to 4 decimals', () => {
    // Newcombe RG. Two-sided confidence intervals for the single proportion. Stat Med 1998;17:857–872, Table II.
    const cases: Array<[number, number, number, number]> = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0.0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [s, n, lo, hi] of cases) {
      const ci = wilsonInterval(s, n);
      expect(ci.low, `${s}/${n}`).toBeCloseTo(lo, 4);
      expect(ci.high, `${s}/${n}`).toBeCloseTo(hi, 4);
    }
  });

  it('is symmetric under s → n − s, stays in [0, 1], narrows with n, and uses z = 1.95996', () => {
    expect(Z_95).toBeCloseTo(1.959964, 6);
    const a = wilsonInterval(7, 20);
    const b = wilsonInterval(13, 20);
    expect(a.low).toBeCloseTo(1 - b.high, 12);
    expect(a.high).toBeCloseTo(1 - b.low, 12);
    expect(wilsonInterval(20, 20)).toEqual({ low: expect.closeTo(0.8389, 4), high: 1 });
    const w = (n: number): number => {
      const c = wilsonInterval(n / 2, n);
      return c.high - c.low;
    };
    expect(w(10)).toBeGreaterThan(w(100));
    expect(w(100)).toBeGreaterThan(w(1000));
    // a 99% interval (z = 2.5758) is wider than the 95% one
    const c99 = wilsonInterval(81, 263, 2.5758293035489);
    expect(c99.low).toBeLessThan(0.2553);
    expect(c99.high).toBeGreaterThan(0.3662);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(5, 4)).toThrow(EvalOptionError);
    expect(() => wilsonInterval(-1, 4)).toThrow(/^successes: must be an integer in \[0, 4\]/);
    expect(() => wilsonInterval(1, 2.5)).toThrow(/^n: must be a non-negative integer/);
    expect(() => wilsonInterval(1, 2, 0)).toThrow(/^z: must be a positive number/);
  });
});
