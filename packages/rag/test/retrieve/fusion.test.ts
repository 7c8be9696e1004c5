import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTHORITY_WEIGHTS, maximalMarginalRelevance, reciprocalRankFusion, scoreFusion, type Document } from '../../src/index';

const d = (id: string): Document => ({ pageContent: id, metadata: { id } });

describe('reciprocalRankFusion', () => {
  it('sums w / (k + rank) over the lists', () => {
    const fused = reciprocalRankFusion(
      [
        { documents: [d('a'), d('b'), d('c')], weight: 1 },
        { documents: [d('c'), d('a')], weight: 2 },
      ],
      60,
    );
    const score = Object.fromEntries(fused.map((f) => [f.document.metadata.id, f.score]));
    expect(score.a).toBeCloseTo(1 / 61 + 2 / 62, 15);
    expect(score.b).toBeCloseTo(1 / 62, 15);
    expect(score.c).toBeCloseTo(1 / 63 + 2 / 61, 15);
    expect(fused.map((f) => f.document.metadata.id)).toEqual(['c', 'a', 'b']);
    expect(fused[0]!.ranks).toEqual([3, 1]);
    expect(fused[2]!.ranks).toEqual([2, undefined]);
  });

  it('weight 0 silences a list; k changes how much the top ranks dominate', () => {
    const lists = [
      { documents: [d('a'), d('b')], weight: 1 },
      { documents: [d('b'), d('a')], weight: 0 },
    ];
    expect(reciprocalRankFusion(lists)[0]!.document.metadata.id).toBe('a');
    // a is first in one list; b is fourth in two. Small k rewards the first place, k = 60 the agreement.
    const two = [
      { documents: [d('a'), d('p'), d('q'), d('b')], weight: 1 },
      { documents: [d('r'), d('s'), d('t'), d('b')], weight: 1 },
    ];
    expect(reciprocalRankFusion(two, 1)[0]!.document.metadata.id).toBe('a');
    expect(reciprocalRankFusion(two, 60)[0]!.document.metadata.id).toBe('b');
  });

  it('rejects bad weights and k', () => {
    expect(() => reciprocalRankFusion([{ documents: [d('a')], weight: -1 }])).toThrow(/lists\[0\]\.weight/);
    expect(() => reciprocalRankFusion([{ documents: [d('a')], weight: Number.POSITIVE_INFINITY }])).toThrow(/lists\[0\]\.weight/);
    expect(() => reciprocalRankFusion([{ documents: [d('a')], weight: 0 }])).toThrow(/every weight is 0/);
    expect(() => reciprocalRankFusion([{ documents: [d('a')], weight: 1 }], 0)).toThrow(/^k:/);
    expect(() => reciprocalRankFusion([])).toThrow(/at least one/);
  });
});

describe('scoreFusion', () => {
  it('sums w · (s − s_last) / s_best for "max" lists and w · (s − s_last) for "none" lists', () => {
    const fused = scoreFusion([
      { documents: [d('a'), d('b'), d('c')], scores: [10, 5, 2], weight: 1, scale: 'max' },
      { documents: [d('c'), d('a'), d('d')], scores: [0.9, 0.5, 0.1], weight: 1.5, scale: 'none' },
    ]);
    const score = Object.fromEntries(fused.map((f) => [f.document.metadata.id, f.score]));
    expect(score.a).toBeCloseTo((10 - 2) / 10 + 1.5 * (0.5 - 0.1), 15);
    expect(score.b).toBeCloseTo((5 - 2) / 10, 15);
    expect(score.c).toBeCloseTo(0 + 1.5 * (0.9 - 0.1), 15);
    expect(score.d).toBe(0);
    expect(fused.map((f) => f.document.metadata.id)).toEqual(['a', 'c', 'b', 'd']);
    expect(fused[0]!.ranks).toEqual([1, 2]);
    expect(fused[2]!.ranks).toEqual([2, undefined]);
  });

  it('keeps a wide sparse margin but lets the dense list settle a near-tie (rank fusion ties x with z)', () => {
    const lists = [
      { documents: [d('x'), d('y'), d('z')], scores: [20, 10, 9.9], weight: 1, scale: 'max' as const },
      { documents: [d('z'), d('y'), d('x')], scores: [0.6, 0.55, 0.2], weight: 1, scale: 'none' as const },
    ];
    expect(scoreFusion(lists).map((f) => f.document.metadata.id)).toEqual(['x', 'z', 'y']);
    const rrf = Object.fromEntries(reciprocalRankFusion(lists).map((f) => [f.document.metadata.id, f.score]));
    expect(rrf.x).toBeCloseTo(rrf.z!, 15);
    // an empty list (BM25 matched nothing) leaves the other list's order
    expect(scoreFusion([{ ...lists[0]!, documents: [], scores: [] }, lists[1]!]).map((f) => f.document.metadata.id)).toEqual(['z', 'y', 'x']);
  });

  it('rejects bad lists with the field named', () => {
    const ok = { documents: [d('a'), d('b')], scores: [2, 1], weight: 1, scale: 'max' as const };
    expect(() => scoreFusion([])).toThrow(/at least one/);
    expect(() => scoreFusion([{ ...ok, weight: -1 }])).toThrow(/lists\[0\]\.weight/);
    expect(() => scoreFusion([{ ...ok, weight: 0 }])).toThrow(/every weight is 0/);
    expect(() => scoreFusion([ok, { ...ok, scores: [1] }])).toThrow(/lists\[1\]\.scores: has 1 scores for 2 documents/);
    expect(() => scoreFusion([{ ...ok, scores: [2, Number.NaN] }])).toThrow(/lists\[0\]\.scores\[1\]: must be finite/);
    expect(() => scoreFusion([{ ...ok, scores: [1, 2] }])).toThrow(/lists\[0\]\.scores\[1\]: is higher/);
    expect(() => scoreFusion([{ ...ok, scores: [0, -1] }])).toThrow(/lists\[0\]\.scores\[0\]: must be > 0/);
    expect(() => scoreFusion([{ ...ok, scale: 'minmax' as never }])).toThrow(/lists\[0\]\.scale/);
  });
});

describe('maximalMarginalRelevance', () => {
  const v = (...x: number[]) => Float32Array.from(x);
  it('skips a near-duplicate of what it already chose', () => {
    const rel = [1, 0.99, 0.8];
    const vectors = [v(1, 0), v(0.999, 0.04), v(0, 1)];
    expect(maximalMarginalRelevance(rel, vectors, 2, 1)).toEqual([0, 1]);
    expect(maximalMarginalRelevance(rel, vectors, 2, 0.5)).toEqual([0, 2]);
  });
  it('rejects bad lambda, k and vectors', () => {
    expect(() => maximalMarginalRelevance([1], [v(1)], 1, 1.5)).toThrow(/lambda/);
    expect(() => maximalMarginalRelevance([1], [v(1)], 0, 0.5)).toThrow(/^k:/);
    expect(() => maximalMarginalRelevance([1, 2], [v(1)], 1, 0.5)).toThrow(/vectors/);
    expect(() => maximalMarginalRelevance([1, 2], [v(1), v(1, 2)], 1, 0.5)).toThrow(/vectors\[1\]/);
  });
});

it('default authority weights order A > B > C > D > E', () => {
  const w = DEFAULT_AUTHORITY_WEIGHTS;
  expect(w.A > w.B && w.B > w.C && w.C > w.D && w.D > w.E).toBe(true);
});
