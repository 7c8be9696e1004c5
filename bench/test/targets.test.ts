import { describe, expect, it } from 'vitest';
import { judge, profileSummary, verdictText } from '../lib/targets';

describe('judge', () => {
  it('meets a target at or above the ratio and misses it below', () => {
    const met = judge('training tokens/s', 'native', 1250, 1000, 1.25);
    expect(met.ratio).toBeCloseTo(1.25, 12);
    expect(met.met).toBe(true);
    expect(verdictText(met)).toBe('met');
    const missed = judge('training tokens/s', 'native', 1249, 1000, 1.25);
    expect(missed.met).toBe(false);
    expect(verdictText(missed)).toBe('NOT MET');
  });

  it('does not judge a side that was not measured, or when told why not (keeping the ratio)', () => {
    expect(verdictText(judge('q', 'native', undefined, 1000, 1.5))).toBe('not judged (native not measured)');
    expect(verdictText(judge('q', 'native', 10, Number.NaN, 1.5))).toBe('not judged (PyTorch not measured)');
    expect(verdictText(judge('q', 'native', 0, 10, 1.5))).toBe('not judged (native not measured)');
    const quick = judge('q', 'wasm', 30, 10, 1.5, '--quick');
    expect(quick.met).toBeUndefined();
    expect(quick.ratio).toBe(3);
    expect(verdictText(quick)).toBe('not judged (--quick)');
  });
});

describe('profileSummary', () => {
  it('names the top kernels with their share of the wall time and the share outside kernels', () => {
    const text = profileSummary(
      {
        backend: 'native',
        wallMs: 200,
        kernels: [
          { name: 'BatchMatMul', calls: 96, selfMs: 100 },
          { name: 'Softmax', calls: 12, selfMs: 30 },
          { name: 'Add', calls: 40, selfMs: 10 },
        ],
      },
      2,
    );
    expect(text).toBe('BatchMatMul 50% (96 calls), Softmax 15% (12 calls); 30% outside kernels (of 200 ms)');
  });
});
