import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTHORITY_WEIGHTS, maximalMarginalRelevance, reciprocalRankFusion, type Document } from '../../src/index';

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
