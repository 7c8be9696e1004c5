import { describe, expect, it } from 'vitest';
import { extractDrugs, verifyDrugJson } from '../../src/rules/drug-json';
import { parseLenient } from '../../src/rules/lenient-json';

const ref = {
  drugs: ['metformin', 'aspirin', 'atorvastatin'],
  synonyms: { aspirin: ['acetylsalicylic acid', 'ASA', '阿司匹林'], atorvastatin: ['Lipitor'] },
};

describe('parseLenient', () => {
  it('reads broken JSON', () => {
    expect(parseLenient(`{'drugs': ['a', 'b',], // comment\n}`)?.value).toEqual({ drugs: ['a', 'b'] });
    expect(parseLenient('{"drugs": ["a", "b"]')?.value).toEqual({ drugs: ['a', 'b'] });
    expect(parseLenient('{drugs: [a, b], /* c */ "n": None}')?.value).toEqual({ drugs: ['a', 'b'], n: null });
    expect(parseLenient('{the patient is well')).toBeNull();
  });
});

describe('verifyDrugJson', () => {
  it('scores exact lists with synonyms as F1 = 1', () => {
    const c = 'Reasoning…\n```json\n{"drugs": ["Metformin 500 mg bid", "Acetylsalicylic acid", "Lipitor"]}\n```';
    expect(verifyDrugJson(c, ref)).toMatchObject({ reward: 1, verdict: 'correct', source: 'rule' });
  });

  it('is robust to unfenced, single-quoted, trailing-comma, unclosed JSON and object items', () => {
    expect(verifyDrugJson("Here: {'medications': ['metformin', 'ASA',]", ref).details?.tp).toBe(2);
    expect(verifyDrugJson('{"drugs": [{"name": "阿司匹林", "dose": "100mg"}, {"name": "metformin"}]}', ref).details?.tp).toBe(2);
    expect(verifyDrugJson('<think>{"drugs": ["x"]}</think>["metformin", "aspirin", "atorvastatin"]', ref).reward).toBe(1);
  });

  it('computes entity-level precision, recall and F1', () => {
    const r = verifyDrugJson('{"drugs": ["metformin", "aspirin", "warfarin", "insulin"]}', ref);
    expect(r.details?.precision).toBeCloseTo(0.5, 12);
    expect(r.details?.recall).toBeCloseTo(2 / 3, 12);
    expect(r.reward).toBeCloseTo((2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3), 12);
    expect(r.verdict).toBe('partial');
    expect(verifyDrugJson('{"drugs": []}', ref)).toMatchObject({ reward: 0, verdict: 'incorrect' });
    expect(verifyDrugJson('no json at all', ref).verdict).toBe('unparseable');
    expect(() => verifyDrugJson('{}', { drugs: 'aspirin' as never })).toThrow(/drugs/);
  });

  it('prefers the last value with a drug key', () => {
    expect(extractDrugs('{"drugs": ["a"]} then [1, 2] and {"drugs": ["b", "c"]} [3]')?.names).toEqual(['b', 'c']);
  });
});
