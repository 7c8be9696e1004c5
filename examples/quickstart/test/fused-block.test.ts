import { describe, expect, it } from 'vitest';
import { runFusedBlock } from '../src/fused-block';
import { ProgressReporter } from '../src/progress';

const silent = new ProgressReporter({ write: () => true, isTTY: false });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('fused-block job', () => {
  it('learns the lag-copy task on wasm: loss falls by at least 35% in 60 steps (seed 7)', async () => {
    const result = await runFusedBlock({ backend: 'wasm', steps: 60, seed: 7, reporter: silent });
    expect(result.backend.name).toBe('wasm');
    const first = result.losses[0];
    expect(first).toBeGreaterThan(3); // ~ln(32) at init
    expect(mean(result.losses.slice(-5))).toBeLessThan(0.65 * first);
    expect(result.tokensPerSecond).toBeGreaterThan(0);
  });

  it('gives the same losses for the same seed, and cpu agrees with wasm', async () => {
    const a = await runFusedBlock({ backend: 'cpu', steps: 3, seed: 11, batch: 4, reporter: silent });
    const b = await runFusedBlock({ backend: 'cpu', steps: 3, seed: 11, batch: 4, reporter: silent });
    expect(a.losses).toEqual(b.losses);
    const w = await runFusedBlock({ backend: 'wasm', steps: 3, seed: 11, batch: 4, reporter: silent });
    w.losses.forEach((l, i) => expect(Math.abs(l - a.losses[i])).toBeLessThan(1e-3));
  });
});
