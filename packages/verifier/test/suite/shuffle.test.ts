import { mulberry32 } from '@quarkmed/model';
import { describe, expect, it } from 'vitest';
import { ShuffleSeedError, seededShuffle } from '../../src/shuffle';

describe('seededShuffle', () => {
  it('is a deterministic permutation for a seed, differs across seeds, and equals Fisher–Yates on mulberry32', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const a = seededShuffle([...xs], 7);
    expect(seededShuffle([...xs], 7)).toEqual(a);
    expect(seededShuffle([...xs], 8)).not.toEqual(a);
    expect([...a].sort((p, q) => p - q)).toEqual(xs);
    expect(a).not.toEqual(xs);
    // reference Fisher–Yates driven by the same generator
    const rnd = mulberry32(7);
    const ref = [...xs];
    for (let i = ref.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [ref[i], ref[j]] = [ref[j]!, ref[i]!];
    }
    expect(a).toEqual(ref);
    // with a shared generator it draws from that stream
    const g = mulberry32(7);
    expect(seededShuffle([...xs], g)).toEqual(a);
  });

  it('is roughly uniform: each of the 6 orders of 3 items about 1/6 of the time', () => {
    const counts = new Map<string, number>();
    const rng = mulberry32(1);
    for (let t = 0; t < 6000; t++) {
      const k = seededShuffle(['a', 'b', 'c'], rng).join('');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(120);
  });

  it('rejects a bad seed by name', () => {
    expect(() => seededShuffle([1, 2], 1.5)).toThrow(ShuffleSeedError);
    expect(() => seededShuffle([1, 2], 'x' as never)).toThrow(/seedOrRng must be an integer seed/);
  });
});
