import { describe, expect, it } from 'vitest';
import { buildRagPrompt, checkCitations, parseCitations } from '../../src/index';

const { passages } = buildRagPrompt('What treats type 2 diabetes?', [
  { pageContent: 'Metformin is the first-line drug for type 2 diabetes.', metadata: {} },
  { pageContent: 'Insulin treats type 1 diabetes.', metadata: {} },
  { pageContent: '胸腔积液时心浊音界向健侧移位。', metadata: {} },
]);

describe('parseCitations', () => {
  it('reads [n], lists, ranges and full-width brackets', () => {
    expect(parseCitations('a [1] b [2, 3] c [4-6] d 【7】 e [8，9][10]')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(parseCitations('no citations [a] [ ]')).toEqual([]);
  });
});

describe('checkCitations', () => {
  it('accepts a supported citation', () => {
    const r = checkCitations('Metformin is the first-line drug for type 2 diabetes [1].', passages);
    expect(r).toMatchObject({ cited: [1], supported: [1], unsupported: [], notGiven: [], ok: true });
    expect(r.claims[0]!.overlap[1]).toBe(1);
  });

  it('flags a citation to the wrong passage and one to a passage not given', () => {
    const r = checkCitations('Metformin is the first-line drug for type 2 diabetes [2]. It is cheap [7].', passages);
    expect(r.unsupported).toEqual([2]);
    expect(r.notGiven).toEqual([7]);
    expect(r.ok).toBe(false);
  });

  it('supports Chinese claims by character bigrams, and a citation standing after its sentence', () => {
    const r = checkCitations('心浊音界向健侧移位。[3]', passages);
    expect(r.supported).toEqual([3]);
    expect(r.uncitedClaims).toEqual([]);
    expect(checkCitations('心浊音界向患侧移位，肺不张所致。[3]', passages, { minOverlap: 0.9 }).unsupported).toEqual([3]);
  });

  it('reports uncited sentences, and an answer with no citation is not ok', () => {
    const r = checkCitations('Metformin helps. Insulin treats type 1 diabetes [2].', passages);
    expect(r.uncitedClaims).toEqual(['Metformin helps.']);
    expect(r.ok).toBe(true);
    expect(checkCitations('Metformin.', passages).ok).toBe(false);
  });

  it('rejects bad input', () => {
    expect(() => checkCitations(undefined as never, passages)).toThrow(/answer/);
    expect(() => checkCitations('x [1]', [{ n: 0, text: 'x' } as never])).toThrow(/passages\[0\]/);
    expect(() => checkCitations('x [1]', passages, { minOverlap: 0 })).toThrow(/options\.minOverlap/);
    expect(() => checkCitations('x [1]', passages, { minOverlap: 1.5 })).toThrow(/options\.minOverlap/);
  });
});
