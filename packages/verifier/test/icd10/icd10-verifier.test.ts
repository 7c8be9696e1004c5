import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Icd10Verifier, extractIcd10Codes, Icd10ReferenceError } from '../../src/icd10/index';
import { useShippedVerifierData } from '../../src/node/index';

useShippedVerifierData(); // the shipped ICD-10 / Disease Ontology files, read from disk

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

describe('extractIcd10Codes after an explicit code cue', () => {
  const codes = (t: string, scope: 'answer' | 'all' = 'answer'): string[] => extractIcd10Codes(t, { scope }).map((c) => c.dotted);

  it('accepts lower-case codes without a dot after a cue', () => {
    expect(codes('The ICD-10-CM code is e119.')).toEqual(['E11.9']);
    expect(codes('ICD-10 code: e1165')).toEqual(['E11.65']);
    expect(codes('code e119')).toEqual(['E11.9']);
    expect(codes('Answer: i2510')).toEqual(['I25.10']);
    expect(codes('编码为e119')).toEqual(['E11.9']);
    expect(codes('诊断：e119')).toEqual(['E11.9']);
    expect(codes('Final diagnosis: i214')).toEqual(['I21.4']);
    expect(codes('Codes: e119, i10 and e785', 'all')).toEqual(['E11.9', 'I10', 'E78.5']);
  });

  it('accepts one space between the letter and the digits after a cue', () => {
    expect(codes('Code: E 11.9')).toEqual(['E11.9']);
    expect(codes('The code is E 119')).toEqual(['E11.9']);
    expect(codes('ICD-10: I 10')).toEqual(['I10']);
    const [c] = extractIcd10Codes('Code: E 11.9');
    expect(c).toMatchObject({ raw: 'E 11.9', index: 6 });
  });

  it('does not take the looser forms from prose without a cue', () => {
    expect(codes('The patient has e119 on the chart')).toEqual([]);
    expect(codes('Type 2 diabetes, e.g. in adults; HbA1c 7.2%')).toEqual([]);
    expect(codes('Vitamin E 400 IU daily and a 12-year history')).toEqual([]);
    expect(codes('T2DM since 2015, COVID-19 in 2021')).toEqual([]);
    // the strict shape is unchanged: "B12" is code-shaped (and then rejected by the code list)
    expect(codes('vitamin B12 deficiency')).toEqual(['B12']);
  });

  it('keeps prose after a cue out', () => {
    expect(codes('Answer: a 12.5 cm mass')).toEqual([]); // spaced form needs an upper-case letter
    expect(codes('The code for type 2 diabetes is E11.9')).toEqual(['E11.9']);
    expect(codes('code e119 is type 2 diabetes')).toEqual(['E11.9']);
    expect(codes('encoded e119')).toEqual([]); // "code" inside a word is no cue
  });

  it('stays linear on long cue-heavy input', () => {
    const t0 = performance.now();
    expect(codes('Code: is '.repeat(20000) + 'e119')).toEqual(['E11.9']);
    expect(codes('code' + ' '.repeat(200000) + 'x')).toEqual([]);
    expect(codes('Codes: ' + 'e119, '.repeat(20000)).length).toBe(20000);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('the verifier scores cued lower-case and spaced codes', () => {
    const v = new Icd10Verifier();
    expect(v.verify('The ICD-10-CM code is e119.', 'E11.9')).toMatchObject({ reward: 1, verdict: 'correct' });
    expect(v.verify('Code: E 11.9', 'E11.9')).toMatchObject({ reward: 1, verdict: 'correct' });
    expect(v.verify('Code: E 11.65', 'E11.9')).toMatchObject({ reward: 0.5, verdict: 'partial' });
    expect(v.verify('Take vitamin B12 daily.', 'E11.9')).toMatchObject({ reward: 0, verdict: 'invalid' });
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
