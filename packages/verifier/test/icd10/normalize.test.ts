import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalizeIcd10Code, parseIcd10Code, formatIcd10Code, Icd10FormatError } from '../../src/icd10/index';

describe('normalizeIcd10Code', () => {
  it.each([
    ['E11.9', 'E119', 'E11.9'],
    ['e11.9', 'E119', 'E11.9'],
    [' E11 .9 ', 'E119', 'E11.9'],
    ['E11 9', 'E119', 'E11.9'],
    ['Ｅ１１．９', 'E119', 'E11.9'],
    ['E11。9', 'E119', 'E11.9'],
    ['E11·9', 'E119', 'E11.9'],
    ['E11.-', 'E11', 'E11'],
    ['t36.0x1a', 'T360X1A', 'T36.0X1A'],
    ['O9A.11', 'O9A11', 'O9A.11'],
  ])('%s → %s', (raw, code, dotted) => {
    expect(normalizeIcd10Code(raw)).toEqual({ code, dotted, category: code.slice(0, 3) });
  });

  it.each(['', 'E1', '11.9', 'EE1.9', 'E11.98765', 'heart attack', 'E11..9x!'])('rejects %j', (raw) => {
    expect(normalizeIcd10Code(raw)).toBeNull();
  });

  it('parseIcd10Code throws a typed error naming the argument', () => {
    expect(() => parseIcd10Code('xyz', 'reference')).toThrow(Icd10FormatError);
    expect(() => parseIcd10Code('xyz', 'reference')).toThrow(/^reference: "xyz"/);
  });

  it('formatIcd10Code is the inverse of removing the dot', () => {
    expect(formatIcd10Code('E119')).toBe('E11.9');
    expect(formatIcd10Code('I10')).toBe('I10');
  });

  it('is idempotent on any input (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const n = normalizeIcd10Code(s);
        if (n) expect(normalizeIcd10Code(n.dotted)).toEqual(n);
      }),
    );
  });
});
