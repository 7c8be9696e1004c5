import { describe, expect, it } from 'vitest';
import { PreferenceDataError, REWARD_HEADS, buildPreferencePairs, splitPairs } from '../../src/reward/preference-data';

describe('buildPreferencePairs', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = buildPreferencePairs({ seed: 5, perHead: 40 });
    const b = buildPreferencePairs({ seed: 5, perHead: 40 });
    const c = buildPreferencePairs({ seed: 6, perHead: 40 });
    expect(a).toEqual(b);
    expect(a.map((p) => p.chosen)).not.toEqual(c.map((p) => p.chosen));
  });

  it('builds pairs for every head with the meaning of that head', () => {
    const pairs = buildPreferencePairs({ seed: 1, perHead: 60 });
    for (const h of REWARD_HEADS) expect(pairs.filter((p) => p.heads[0] === h).length).toBe(60);
    for (const p of pairs) {
      expect(p.chosen).not.toBe(p.rejected);
      if (p.heads[0] === 'honesty') expect(p.rejected).toMatch(/\d{4}/); // a fabricated citation year
      if (p.heads[0] === 'compliance') expect(p.chosen).toMatch(/can't|cannot|won't|not able/);
      if (p.heads[0] === 'compliance') expect(p.rejected).not.toMatch(/\d+\s*(mg|tablets)/); // no harmful numbers
      if (p.heads[0] === 'helpfulness') expect(p.chosen.length).toBeGreaterThan(p.rejected.length - 20);
      if (p.heads[0] === 'consistency' && p.template === 'consistency:letter') {
        const last = (s: string): string => s.match(/([A-E])\.?$/)![1]!;
        const stated = p.chosen.match(/option ([A-E])|answer is ([A-E]) \(|that is ([A-E])\./);
        expect(stated).not.toBeNull();
        expect(last(p.chosen)).toBe(stated![1] ?? stated![2] ?? stated![3]);
        expect(last(p.rejected)).not.toBe(last(p.chosen));
      }
    }
  });

  it('rejects bad options by name', () => {
    expect(() => buildPreferencePairs({ seed: 1.5 })).toThrow(/options.seed/);
    expect(() => buildPreferencePairs({ seed: 1, perHead: 0 })).toThrow(PreferenceDataError);
    expect(() => buildPreferencePairs({ seed: 1, heads: ['kindness' as never] })).toThrow(/options.heads\[0\]/);
  });
});

describe('splitPairs', () => {
  it('holds out the requested fraction per head, disjoint and deterministic', () => {
    const pairs = buildPreferencePairs({ seed: 2, perHead: 40 });
    const s1 = splitPairs(pairs, { seed: 3, heldOutFraction: 0.25 });
    const s2 = splitPairs(pairs, { seed: 3, heldOutFraction: 0.25 });
    expect(s1).toEqual(s2);
    expect(s1.train.length + s1.heldOut.length).toBe(pairs.length);
    const trainIds = new Set(s1.train.map((p) => p.id));
    expect(s1.heldOut.some((p) => trainIds.has(p.id))).toBe(false);
    for (const h of REWARD_HEADS) expect(s1.heldOut.filter((p) => p.heads[0] === h).length).toBe(10);
    expect(() => splitPairs(pairs, { seed: 3, heldOutFraction: 1 })).toThrow(/heldOutFraction/);
  });
});
