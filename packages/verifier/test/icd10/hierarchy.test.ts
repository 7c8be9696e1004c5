import { describe, expect, it } from 'vitest';
import { getIcd10CodeList, hierarchicalCredit, setScore, Icd10HierarchyError } from '../../src/icd10/index';
import { useShippedVerifierData } from '../../src/node/index';

useShippedVerifierData(); // the shipped ICD-10 / Disease Ontology files, read from disk

const codeList = getIcd10CodeList();

describe('hierarchicalCredit', () => {
  it.each([
    ['E11.9', 'E11.9', 'exact', 1],
    ['E11.65', 'E11', 'descendant', 1],
    ['E11.69', 'E11.65', 'subcategory', 0.75],
    ['E11', 'E11.65', 'category', 0.5],
    ['E11.9', 'E11.65', 'category', 0.5],
    ['E10.9', 'E11.9', 'block', 0.25],
    ['E66.9', 'E11.9', 'chapter', 0.1],
    ['I10', 'E11.9', 'none', 0],
  ])('%s vs %s → %s', (p, r, level, credit) => {
    expect(hierarchicalCredit(p, r, { codeList })).toEqual({ level, credit });
  });

  it('uses configurable weights', () => {
    expect(hierarchicalCredit('E11.65', 'E11', { weights: { descendant: 0.8 } })).toEqual({ level: 'descendant', credit: 0.8 });
    expect(hierarchicalCredit('E10.9', 'E11.9')).toEqual({ level: 'none', credit: 0 }); // no code list: no block
  });

  it('rejects bad weights and codes with typed errors', () => {
    expect(() => hierarchicalCredit('E11', 'E11', { weights: { block: 2 } })).toThrow(/weights.block must be a number in \[0, 1\]/);
    expect(() => hierarchicalCredit('E11', 'xx')).toThrow(Icd10HierarchyError);
  });
});

describe('setScore', () => {
  it('computes soft precision, recall and F1 with one-to-one matching', () => {
    const s = setScore(['E11.9', 'I10', 'J45.909'], ['E11.9', 'I10', 'N18.3'], { codeList });
    expect(s.precision).toBeCloseTo(2 / 3, 12);
    expect(s.recall).toBeCloseTo(2 / 3, 12);
    expect(s.f1).toBeCloseTo(2 / 3, 12);
    expect(s.unmatchedPredicted).toEqual(['J45.909']);
    expect(s.unmatchedReference).toEqual(['N18.3']);
  });

  it('gives partial credit and matches each reference once', () => {
    // E11.65 and E11.69 both want E11.65; the exact match wins, E11.69 gets nothing left.
    const s = setScore(['E11.69', 'E11.65'], ['E11.65'], { codeList });
    expect(s.matches).toEqual([{ predicted: 'E11.65', reference: 'E11.65', level: 'exact', credit: 1 }]);
    expect(s.precision).toBeCloseTo(0.5, 12);
    expect(s.recall).toBe(1);
    expect(s.f1).toBeCloseTo(2 / 3, 12);
    const t = setScore(['E11.9', 'I20.0'], ['E11.65', 'I21.4'], { codeList });
    expect(t.precision).toBeCloseTo((0.5 + 0.25) / 2, 12);
  });

  it('counts duplicates once and handles empty sets', () => {
    expect(setScore(['e11.9', 'E11.9', 'E119'], ['E11.9']).f1).toBe(1);
    expect(setScore([], []).f1).toBe(1);
    expect(setScore([], ['E11']).f1).toBe(0);
    expect(() => setScore(['E11', '??'], ['E11'])).toThrow(/predicted\[1\]/);
  });
});
