import { describe, expect, it } from 'vitest';
import { runQuickstart } from '../src/quickstart';
import { ProgressReporter } from '../src/progress';

const silent = new ProgressReporter({ write: () => true, isTTY: false });

describe('quickstart', () => {
  it('learns the lag-copy task on cpu: loss falls by at least 30% in 40 steps (seed 7)', async () => {
    const result = await runQuickstart({ backend: 'cpu', steps: 40, seed: 7, reporter: silent });
    expect(result.backend.name).toBe('cpu');
    const first = result.losses[0];
    const last = result.losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
    expect(first).toBeGreaterThan(3); // ~ln(32) at init
    expect(last).toBeLessThan(0.7 * first);
    expect(result.tokensPerSecond).toBeGreaterThan(0);
  });

  it('gives the same losses for the same seed', async () => {
    const a = await runQuickstart({ backend: 'cpu', steps: 3, seed: 11, reporter: silent });
    const b = await runQuickstart({ backend: 'cpu', steps: 3, seed: 11, reporter: silent });
    expect(a.losses).toEqual(b.losses);
  });
});
