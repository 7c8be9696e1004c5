import { describe, expect, it } from 'vitest';
import { dedupExact, ExactDeduplicator } from '../../src/curate/dedup-exact';
import { hash128Hex } from '../../src/curate/hash';

describe('exact dedup', () => {
  it('streams: a text equal after normalisation is a duplicate, a different one is not', () => {
    const d = new ExactDeduplicator();
    expect(d.add('Cholera is an infection of the small intestine.')).toBe(true);
    expect(d.add('  cholera IS an infection of the small   intestine.\u200B')).toBe(false);
    expect(d.add('Cholera is an infection of the large intestine.')).toBe(true);
    expect(d.add('霍乱（cholera）是一种感染')).toBe(true);
    expect(d.add('霍乱(CHOLERA)是一种感染')).toBe(false);
    expect(d.size).toBe(3);
    expect(d.has('cholera is an infection of the large intestine.')).toBe(true);
  });

  it('a raw key compares texts byte for byte', () => {
    const d = new ExactDeduplicator({ key: (t) => t });
    expect(d.add('a b')).toBe(true);
    expect(d.add('a  b')).toBe(true);
    expect(d.add('a b')).toBe(false);
  });

  it('dedupExact keeps the first occurrence, or the preferred one, and maps duplicates to it', () => {
    const texts = ['x one', 'y two', 'X  ONE', 'z three', 'x one'];
    const r = dedupExact(texts);
    expect(r.kept).toEqual([0, 1, 3]);
    expect([...r.duplicateOf]).toEqual([
      [2, 0],
      [4, 0],
    ]);
    // Prefer index 4 over everything else in its group.
    const p = dedupExact(texts, { prefer: (a, b) => (a === 4 ? -1 : b === 4 ? 1 : 0) });
    expect(p.kept).toEqual([1, 3, 4]);
    expect(p.duplicateOf.get(0)).toBe(4);
  });

  it('hash128Hex is 32 hex digits and distinguishes near-identical strings', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(hash128Hex(`document ${i}`));
    expect(seen.size).toBe(5000);
    expect(hash128Hex('abc')).toMatch(/^[0-9a-f]{32}$/);
    expect(hash128Hex('abc')).toBe(hash128Hex('abc'));
    expect(hash128Hex('')).not.toBe(hash128Hex('\u0000'));
  });

  it('rejects a non-string text', () => {
    expect(() => dedupExact(['a', 3 as unknown as string])).toThrow(/texts\[1\] must be a string/);
  });
});
