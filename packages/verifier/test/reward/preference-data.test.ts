import { describe, expect, it } from 'vitest';
import { PreferenceDataError, REWARD_HEADS, buildPreferencePairs, pairText, splitPairs, splitTemplates } from '../../src/reward/preference-data';

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
      if (p.heads[0] === 'helpfulness') expect(p.chosen).toMatch(/ mg|micrograms|puffs|nausea|cough|swelling|aches|insomnia|headache|palpitations|diarrhoea|tiredness|rash|tremor|blood sugar/); // a dose or adverse effects
      if (p.heads[0] === 'helpfulness') expect(p.rejected).not.toMatch(/\d/);
      if (p.heads[0] === 'consistency' && p.template === 'consistency:letter') {
        const last = (s: string): string => s.match(/([A-E])\.?$/)![1]!;
        const stated = p.chosen.match(/[Oo]ption ([A-E])|answer is ([A-E]) \(|that is ([A-E])\./);
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

describe('splitTemplates', () => {
  it('builds train and held-out pairs from disjoint template strings, deterministically', () => {
    const split = splitTemplates({ seed: 2 });
    expect(splitTemplates({ seed: 2 }).heldOut).toEqual(split.heldOut);
    expect(splitTemplates({ seed: 3 }).heldOut).not.toEqual(split.heldOut);
    const train = buildPreferencePairs({ seed: 1, perHead: 60, templates: { split, part: 'train' } });
    const held = buildPreferencePairs({ seed: 1, perHead: 30, templates: { split, part: 'held-out' } });
    const trainTemplates = new Set(train.flatMap((p) => p.templates));
    const heldTemplates = new Set(held.flatMap((p) => p.templates));
    expect([...heldTemplates].filter((t) => trainTemplates.has(t))).toEqual([]);
    for (const t of heldTemplates) expect(split.heldOut.has(t), t).toBe(true);
    for (const t of trainTemplates) expect(split.heldOut.has(t), t).toBe(false);
    // every head is in both parts, and no held-out response text occurs in training
    for (const h of REWARD_HEADS) {
      expect(train.some((p) => p.heads[0] === h)).toBe(true);
      expect(held.some((p) => p.heads[0] === h)).toBe(true);
    }
    const seen = new Set(train.flatMap((p) => [p.chosen, p.rejected]));
    expect(held.filter((p) => seen.has(p.chosen) || seen.has(p.rejected)).map((p) => p.id)).toEqual([]);
    // every pair names one template per pool it drew from
    for (const p of [...train, ...held]) expect(p.templates.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps length from predicting the preference over all templates (longer-wins within 0.3..0.7 per head)', () => {
    const pairs = buildPreferencePairs({ seed: 4, perHead: 200 });
    for (const h of REWARD_HEADS) {
      const ps = pairs.filter((p) => p.heads[0] === h);
      const longer = ps.filter((p) => pairText(p.prompt, p.chosen).length > pairText(p.prompt, p.rejected).length).length / ps.length;
      expect(longer, h).toBeGreaterThanOrEqual(0.3);
      expect(longer, h).toBeLessThanOrEqual(0.7);
    }
  });

  it('rejects bad options by name', () => {
    expect(() => splitTemplates({ seed: 0.5 })).toThrow(/options.seed/);
    expect(() => splitTemplates({ seed: 1, heldOutFraction: 0 })).toThrow(PreferenceDataError);
    expect(() => buildPreferencePairs({ seed: 1, templates: { split: { heldOut: new Set() }, part: 'test' as never } })).toThrow(/options.templates/);
  });
});
