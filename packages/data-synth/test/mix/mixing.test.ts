import { describe, expect, it } from 'vitest';
import { apportion, mix, mixByKey, MixError } from '../../src/mix/mixing';
import { mulberry32 } from '../../src/random';

const range = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => `${tag}${i}`);

describe('apportion', () => {
  it('splits a total exactly, each part within 1 of its share', () => {
    const rand = mulberry32(77);
    for (let t = 0; t < 200; t++) {
      const weights: number[] = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => Math.floor(rand() * 10));
      if (!weights.some((w) => w > 0)) weights[0] = 1;
      const total = Math.floor(rand() * 1000);
      const parts = apportion(total, weights);
      const sum = weights.reduce((a, b) => a + b, 0);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      parts.forEach((p, i) => {
        expect(Math.abs(p - (total * weights[i]!) / sum)).toBeLessThan(1);
        if (weights[i] === 0) expect(p).toBe(0);
      });
    }
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(() => apportion(5, [0, 0])).toThrow(/weights must not all be zero when total is 5/);
  });
});

describe('mix', () => {
  const reasoning = range(900, 'r');
  const general = range(500, 'g');
  const sources = [
    { name: 'reasoning', items: reasoning, weight: 3 },
    { name: 'general', items: general, weight: 1 },
  ];

  it('mixes 3:1 to an exact total, counts within ±1 of the target, items drawn without repetition', () => {
    for (const total of [0, 1, 7, 100, 401, 1000]) {
      const r = mix(sources, { total, seed: 1 });
      expect(r.items.length).toBe(total);
      expect(r.counts.reasoning! + r.counts.general!).toBe(total);
      expect(Math.abs(r.counts.reasoning! - (total * 3) / 4)).toBeLessThanOrEqual(1);
      expect(Math.abs(r.counts.general! - total / 4)).toBeLessThanOrEqual(1);
      expect(r.items.filter((x) => x.source === 'general').length).toBe(r.counts.general);
      expect(new Set(r.items.map((x) => x.item)).size).toBe(total);
      for (const x of r.items) expect(x.item).toBe((x.source === 'reasoning' ? reasoning : general)[x.index]);
    }
    expect(mix(sources, { total: 1000, seed: 1 }).targets).toEqual({ reasoning: 750, general: 250 });
  });

  it('is deterministic per seed, differs between seeds, and shuffles across sources', () => {
    const a = mix(sources, { total: 200, seed: 5 });
    const b = mix(sources, { total: 200, seed: 5 });
    const c = mix(sources, { total: 200, seed: 6 });
    expect(a.items).toEqual(b.items);
    expect(a.items.map((x) => x.item)).not.toEqual(c.items.map((x) => x.item));
    // Interleaved: the first 50 are not all from one source.
    expect(new Set(a.items.slice(0, 50).map((x) => x.source)).size).toBe(2);
    // Unshuffled keeps the sources grouped in order.
    const g = mix(sources, { total: 200, seed: 5, shuffle: false });
    expect(g.items.slice(0, 150).every((x) => x.source === 'reasoning')).toBe(true);
  });

  it('a source contributes the same items when another source is added', () => {
    const one = mix([{ name: 'general', items: general, weight: 1 }], { total: 50, seed: 3, shuffle: false });
    const two = mix([...sources.slice(0, 1), { name: 'general', items: general, weight: 3 }], { total: 200, seed: 3, shuffle: false });
    expect(two.items.filter((x) => x.source === 'general').slice(0, 50).map((x) => x.index)).toEqual(one.items.map((x) => x.index));
  });

  it('with replacement can exceed a source and repeats items', () => {
    const small = [
      { name: 'a', items: ['a0', 'a1'], weight: 1 },
      { name: 'b', items: range(100, 'b'), weight: 1 },
    ];
    const r = mix(small, { total: 100, seed: 2, replacement: true });
    expect(r.counts).toEqual({ a: 50, b: 50 });
    expect(new Set(r.items.filter((x) => x.source === 'a').map((x) => x.item))).toEqual(new Set(['a0', 'a1']));
  });

  it('without replacement a short source errors, or its shortfall is redistributed keeping the total', () => {
    const small = [
      { name: 'a', items: range(10, 'a'), weight: 1 },
      { name: 'b', items: range(100, 'b'), weight: 1 },
      { name: 'c', items: range(100, 'c'), weight: 2 },
    ];
    expect(() => mix(small, { total: 100, seed: 1 })).toThrow(MixError);
    expect(() => mix(small, { total: 100, seed: 1 })).toThrow(/source 'a' has 10 items but its share is 25 of 100/);
    const r = mix(small, { total: 100, seed: 1, shortage: 'redistribute' });
    expect(r.counts).toEqual({ a: 10, b: 30, c: 60 });
    expect(r.items.length).toBe(100);
    expect(() => mix(small, { total: 500, seed: 1, shortage: 'redistribute' })).toThrow(/hold 210 items in all, fewer than total 500/);
  });

  it('validates its input', () => {
    expect(() => mix(sources, { total: -1, seed: 1 })).toThrow(/options.total must be a non-negative integer, got -1/);
    expect(() => mix([...sources, sources[0]!], { total: 10, seed: 1 })).toThrow(/duplicate source name 'reasoning'/);
    expect(() => mix([{ name: 'x', items: [1], weight: -1 }], { total: 1, seed: 1 })).toThrow(/weight must be finite and ≥ 0, got -1/);
    expect(() => mix([{ name: 'x', items: [], weight: 1 }], { total: 1, seed: 1, replacement: true })).toThrow(/source 'x' is empty/);
  });

  it('mixByKey groups records and leaves out unweighted groups', () => {
    const records = [...range(60, 'r').map((id) => ({ id, dim: 'reasoning' })), ...range(60, 'g').map((id) => ({ id, dim: 'general' })), { id: 'x', dim: 'other' }];
    const r = mixByKey(records, (x) => x.dim, { reasoning: 3, general: 1 }, { total: 80, seed: 9 });
    expect(r.counts).toEqual({ reasoning: 60, general: 20 });
    expect(r.excluded).toBe(1);
  });
});
