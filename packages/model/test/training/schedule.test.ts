import { describe, expect, it } from 'vitest';
import { constantLr, cosineWithWarmup } from '../../src/training/schedule';

describe('cosineWithWarmup', () => {
  const lr = cosineWithWarmup({ warmupSteps: 10, totalSteps: 110, peakLr: 1e-3, minLr: 1e-4 });

  it('warms up linearly from step 1 to the peak at warmupSteps', () => {
    expect(lr(0)).toBe(0);
    expect(lr(1)).toBeCloseTo(1e-4, 12);
    expect(lr(5)).toBeCloseTo(5e-4, 12);
    expect(lr(10)).toBeCloseTo(1e-3, 12);
  });

  it('decays by a half cosine to minLr at totalSteps and stays there', () => {
    // halfway through the decay (step 60): min + (peak - min) / 2
    expect(lr(60)).toBeCloseTo(1e-4 + 0.5 * 9e-4, 12);
    // a quarter of the way (step 35): min + (peak - min) * (1 + cos(pi/4)) / 2
    expect(lr(35)).toBeCloseTo(1e-4 + 9e-4 * 0.5 * (1 + Math.SQRT1_2), 12);
    expect(lr(110)).toBeCloseTo(1e-4, 12);
    expect(lr(500)).toBe(1e-4);
    // monotone after warmup
    for (let s = 11; s <= 110; s++) expect(lr(s)).toBeLessThanOrEqual(lr(s - 1) + 1e-18);
  });

  it('without warmup starts at the peak; minLr defaults to 0', () => {
    const f = cosineWithWarmup({ warmupSteps: 0, totalSteps: 4, peakLr: 2 });
    expect(f(0)).toBe(2);
    expect(f(1)).toBeCloseTo(1 + Math.SQRT1_2, 12);
    expect(f(2)).toBeCloseTo(1, 12);
    expect(f(4)).toBe(0);
  });

  it('rejects bad options, naming them', () => {
    expect(() => cosineWithWarmup({ warmupSteps: 10, totalSteps: 10, peakLr: 1 })).toThrow(/totalSteps/);
    expect(() => cosineWithWarmup({ warmupSteps: -1, totalSteps: 10, peakLr: 1 })).toThrow(/warmupSteps/);
    expect(() => cosineWithWarmup({ warmupSteps: 1, totalSteps: 10, peakLr: 0 })).toThrow(/peakLr/);
    expect(() => cosineWithWarmup({ warmupSteps: 1, totalSteps: 10, peakLr: 1, minLr: 2 })).toThrow(/minLr/);
    expect(() => constantLr(-1)).toThrow(/lr/);
    expect(constantLr(0.5)(123)).toBe(0.5);
  });
});
