import { describe, expect, it } from 'vitest';
import { collisionProbability, dedupNear, MinHashLSH, nearDuplicateClusters, optimalParams, UnionFind } from '../../src/curate/lsh';
import { jaccard, MinHasher, shingles } from '../../src/curate/minhash';
import { normalizeText } from '../../src/curate/normalize';
import { changeChars, changeWords, shippedParagraphs } from './helpers';

const en = shippedParagraphs('pubmedqa-abstracts.en.txt').map((p) => normalizeText(p));
const zh = shippedParagraphs('cmexam-explanations.zh.txt').map((p) => normalizeText(p));

describe('LSH parameters', () => {
  it('chooses bands × rows within numPerm from the threshold', () => {
    const p = optimalParams(0.8, 128);
    expect(p).toEqual({ bands: 14, rows: 9 });
    expect(p.bands * p.rows).toBeLessThanOrEqual(128);
    // A higher threshold needs more rows per band.
    expect(optimalParams(0.9, 128).rows).toBeGreaterThan(optimalParams(0.5, 128).rows);
    // With these weights, a pair at the threshold is a candidate with high probability, a pair at 0.5 rarely.
    expect(collisionProbability(0.85, p.bands, p.rows)).toBeGreaterThan(0.95);
    expect(collisionProbability(0.5, p.bands, p.rows)).toBeLessThan(0.05);
    expect(() => optimalParams(1, 128)).toThrow(/threshold must be in \(0, 1\), got 1/);
    expect(() => new MinHashLSH({ threshold: 0.8, numPerm: 16, params: { bands: 5, rows: 4 } })).toThrow(/bands·rows ≤ numPerm \(16\), got 5×4/);
  });
});

describe('near-duplicate detection', () => {
  it('finds English paragraphs with a few words changed at threshold 0.8, and no pair among distinct paragraphs', () => {
    const originals = en.filter((p) => p.split(' ').length >= 180).slice(0, 20);
    expect(originals.length).toBe(20);
    const edited = originals.map((p, i) => changeWords(p, 3, 100 + i));
    for (const [i, p] of originals.entries()) {
      // 3 changed words touch at most 15 of the ≥ 176 5-word shingles: Jaccard ≥ 161/191 ≈ 0.84.
      expect(jaccard(shingles(p), shingles(edited[i]!))).toBeGreaterThan(0.84);
    }
    const texts = [...en, ...edited];
    const r = dedupNear(texts, { threshold: 0.8, seed: 1 });
    // Every edited copy is dropped in favour of its original (the lower index), nothing else is.
    expect(r.duplicateOf.size).toBe(20);
    for (const [i, p] of edited.entries()) {
      expect(r.duplicateOf.get(en.length + i)).toBe(en.indexOf(originals[i]!));
      expect(p).not.toBe(originals[i]);
    }
    expect(r.kept).toEqual(en.map((_, i) => i));
    expect(r.clusters).toBe(20);
  });

  it('finds Chinese near-duplicates (a few characters changed) and keeps distinct Chinese paragraphs', () => {
    // Two characters changed touch up to 10 of the 5-character shingles; keep pairs whose true Jaccard is ≥ 0.85
    // (at exactly 0.8 the estimate falls on either side of the threshold about equally often).
    const pairs = zh
      .filter((p) => Array.from(p).length >= 150)
      .map((p, i) => [p, changeChars(p, 2, 7 + i)] as const)
      .filter(([p, e]) => jaccard(shingles(p), shingles(e)) >= 0.85)
      .slice(0, 10);
    expect(pairs.length).toBe(10);
    const originals = pairs.map((x) => x[0]);
    const edited = pairs.map((x) => x[1]);
    const texts = [...zh, ...edited];
    const r = dedupNear(texts, { threshold: 0.8, seed: 9 });
    expect(r.duplicateOf.size).toBe(10);
    for (const i of edited.keys()) expect(r.duplicateOf.get(zh.length + i)).toBe(zh.indexOf(originals[i]!));
  });

  it('does not merge texts that are similar but below the threshold', () => {
    const p = en.find((x) => x.split(' ').length >= 150)!;
    // Half the words changed: Jaccard of 5-shingles far below 0.8.
    const far = changeWords(p, Math.floor(p.split(' ').length / 2), 3);
    expect(jaccard(shingles(p), shingles(far))).toBeLessThan(0.3);
    expect(dedupNear([p, far], { threshold: 0.8 }).kept).toEqual([0, 1]);
  });

  it('clusters transitively with union-find and keeps a deterministic representative', () => {
    const mh = new MinHasher({ seed: 2 });
    const base = en.find((x) => x.split(' ').length >= 200)!;
    const a = base;
    const b = changeWords(a, 3, 1);
    const c = changeWords(b, 3, 2);
    const other = en.find((x) => x !== base)!;
    const sigs = [other, c, a, b].map((t) => mh.signature(t));
    const r = nearDuplicateClusters(sigs, { threshold: 0.8 });
    expect(r.kept).toEqual([0, 1]);
    expect(r.duplicateOf.get(2)).toBe(1);
    expect(r.duplicateOf.get(3)).toBe(1);
    // A preference picks another member (index 2), independent of insertion details.
    const p = nearDuplicateClusters(sigs, { threshold: 0.8, prefer: (x, y) => (x === 2 ? -1 : y === 2 ? 1 : 0) });
    expect(p.kept).toEqual([0, 2]);
    expect(p.duplicateOf.get(1)).toBe(2);
    expect(p.duplicateOf.get(3)).toBe(2);
  });

  it('index query verifies candidates by estimated Jaccard', () => {
    const mh = new MinHasher({ seed: 4 });
    const lsh = new MinHashLSH({ threshold: 0.8, numPerm: 128 });
    const docs = en.slice(0, 30);
    for (const d of docs) lsh.insert(mh.signature(d));
    expect(lsh.size).toBe(30);
    expect(lsh.query(mh.signature(changeWords(docs[7]!, 2, 5)))).toEqual([7]);
    expect(lsh.query(mh.signature(en[100]!))).toEqual([]);
    expect(() => lsh.insert(new Uint32Array(64))).toThrow(/signature length must be numPerm \(128\), got 64/);
  });

  it('union-find merges sets', () => {
    const uf = new UnionFind(5);
    expect(uf.union(0, 1)).toBe(true);
    expect(uf.union(3, 4)).toBe(true);
    expect(uf.union(1, 0)).toBe(false);
    uf.union(1, 4);
    expect(uf.find(3)).toBe(uf.find(0));
    expect(uf.find(2)).toBe(2);
  });
});
