import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Icd10Verifier, extractIcd10Codes, Icd10ReferenceError } from '../../src/icd10/index';

describe('extractIcd10Codes', () => {
  it('finds codes in English and Chinese text, full-width and with Chinese dots', () => {
    const codes = (t: string, scope: 'answer' | 'all' = 'all'): string[] => extractIcd10Codes(t, { scope }).map((c) => c.dotted);
    expect(codes('E11.9 (type 2 diabetes mellitus without complications)')).toEqual(['E11.9']);
    expect(codes('诊断为2型糖尿病（Ｅ１１．９）伴高血压I10。')).toEqual(['E11.9', 'I10']);
    expect(codes('编码：E11。65')).toEqual(['E11.65']);
    expect(codes('codes e11.9, i10 and T36.0X1A')).toEqual(['E11.9', 'I10', 'T36.0X1A']);
    expect(codes('COVID-19 and HbA1c 7.2%, H2O')).toEqual(['H2O']); // shape only; the code list rejects H2O
  });

  it('prefers the part after the last answer marker and skips <think>', () => {
    const t = '<think>maybe I20.0?</think>Differential: I20.0 vs I21.4.\nFinal diagnosis: I21.4';
    expect(extractIcd10Codes(t).map((c) => c.dotted)).toEqual(['I21.4']);
    expect(extractIcd10Codes(t, { scope: 'all' }).map((c) => c.dotted)).toEqual(['I20.0', 'I21.4', 'I21.4']);
    expect(extractIcd10Codes('答案：I10').map((c) => c.dotted)).toEqual(['I10']);
  });
});

describe('Icd10Verifier', () => {
  const v = new Icd10Verifier();

  it('scores exact, descendant, partial and wrong answers', () => {
    expect(v.verify('Answer: E11.9 (type 2 diabetes mellitus without complications)', 'E11.9')).toMatchObject({ reward: 1, verdict: 'correct', source: 'rule' });
    expect(v.verify('The code is E11.65', 'E11')).toMatchObject({ reward: 1, verdict: 'correct' });
    expect(v.verify('The code is E11.9', 'E11.65')).toMatchObject({ reward: 0.5, verdict: 'partial' });
    expect(v.verify('ICD-10: I10', 'E11.9')).toMatchObject({ reward: 0, verdict: 'incorrect' });
    expect(v.verify('诊断：2型糖尿病，编码为E11.9', 'e11.9')).toMatchObject({ reward: 1, verdict: 'correct' });
  });

  it('scores several diagnoses with set-level F1', () => {
    const r = v.verify('Diagnoses: E11.9, I10, N18.3', ['E11.9', 'I10']);
    expect(r.verdict).toBe('partial');
    expect(r.details).toMatchObject({ precision: 2 / 3, recall: 1 });
    expect(r.reward).toBeCloseTo(0.8, 12);
    // a list of many codes (hedging) is penalised by precision
    const hedge = v.verify('Answer: E10.9, E11.9, E13.9, E08.9, E09.9', 'E11.9');
    expect(hedge.reward).toBeLessThan(0.6);
  });

  it('distinguishes unparseable from invalid', () => {
    expect(v.verify('I do not know', 'E11.9')).toMatchObject({ verdict: 'unparseable', reward: 0 });
    expect(v.verify('Answer: E11.99', 'E11.9')).toMatchObject({ verdict: 'invalid', reward: 0 });
    const pen = new Icd10Verifier({ penalizeInvalid: true }).verify('Answer: E11.9, E11.99', 'E11.9');
    expect(pen.reward).toBeCloseTo(2 / 3, 12);
    expect(new Icd10Verifier().verify('Answer: E11.9, E11.99', 'E11.9').reward).toBe(1);
  });

  it('validates per system', () => {
    expect(new Icd10Verifier({ system: 'icd10' }).verify('Answer: E14.9', 'E14')).toMatchObject({ verdict: 'correct' });
    expect(new Icd10Verifier({ system: 'icd10cm' }).verify('Answer: E14.9', 'E11')).toMatchObject({ verdict: 'invalid' });
    expect(() => new Icd10Verifier({ system: 'icd10cm' }).verify('E11', 'E14')).toThrow(Icd10ReferenceError);
    expect(() => v.verify('E11', [])).toThrow(/at least one code/);
    expect(() => v.verify('E11', 'heart')).toThrow(/reference\[0\]: "heart"/);
  });

  it('never throws on arbitrary completions and stays fast on long input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = v.verify(s, 'E11.9');
        expect(r.reward).toBeGreaterThanOrEqual(0);
        expect(r.reward).toBeLessThanOrEqual(1);
      }),
      { seed: 42, numRuns: 300 },
    );
    const long = 'E11.9 is not it. '.repeat(20000) + 'Answer: E11.65';
    const t0 = performance.now();
    expect(v.verify(long, 'E11.65').verdict).toBe('correct');
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
