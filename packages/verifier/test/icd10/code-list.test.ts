import { describe, expect, it } from 'vitest';
import { getIcd10CodeList, Icd10CodeListError } from '../../src/icd10/index';
import { useShippedVerifierData } from '../../src/node/index';

useShippedVerifierData(); // the shipped ICD-10 / Disease Ontology files, read from disk

describe('Icd10CodeList', () => {
  const list = getIcd10CodeList();

  it('holds every ICD-10-CM FY2022 code', () => {
    expect(list.sizeCm).toBe(95524);
    expect(list.has('A00')).toBe(true);
    expect(list.has('Z99.89')).toBe(true);
    expect(list.has('U07.1')).toBe(true);
    expect(list.has('E11.9')).toBe(true);
    expect(list.has('E11.99')).toBe(false);
    expect(list.isBillable('E11.9')).toBe(true);
    expect(list.isBillable('E11')).toBe(false);
    expect(list.title('I21.4')).toBe('Non-ST elevation (NSTEMI) myocardial infarction');
  });

  it('validates WHO ICD-10 codes (categories of ICD-10-CN and 4-character codes)', () => {
    expect(list.has('E14', 'icd10')).toBe(true); // WHO-only: unspecified diabetes
    expect(list.has('E14', 'icd10cm')).toBe(false);
    expect(list.has('E14', 'either')).toBe(true);
    expect(list.has('E11.9', 'icd10')).toBe(true);
    expect(list.has('E11.65', 'icd10')).toBe(false); // 5 characters: CM only
    expect(list.titleZh('E11.9')).toBe('非胰岛素依赖型糖尿病');
  });

  it('finds chapters and blocks', () => {
    expect(list.chapters).toHaveLength(22);
    expect(list.chapterOf('E11.9')?.chapter).toBe(4);
    expect(list.chapterOf('O9A.11')?.chapter).toBe(15);
    expect(list.chapterOf('U07.1')?.chapter).toBe(22);
    expect(list.chapterOf('H65')?.chapter).toBe(8);
    expect(list.blockOf('E11.9')).toMatchObject({ start: 'E10', end: 'E14', titleZh: '糖尿病' });
    expect(list.blockOf('I21')).toMatchObject({ start: 'I20', end: 'I25' });
    expect(list.blockOf('Z00')).toBeUndefined();
    expect(() => list.chapterOf('nope')).toThrow(Icd10CodeListError);
  });
});
