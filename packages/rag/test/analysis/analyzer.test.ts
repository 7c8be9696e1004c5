import { describe, expect, it } from 'vitest';
import { createAnalyzer, RagArgumentError } from '../../src/index';

describe('TextAnalyzer', () => {
  it('lower-cases, drops English stop words and Porter-stems', () => {
    expect(createAnalyzer().analyze('The Patients were RUNNING trials of the treatments')).toEqual(['patient', 'run', 'trial', 'treatment']);
  });

  it('keeps stop words and surface forms when asked', () => {
    expect(createAnalyzer({ stopWords: false, stem: false }).analyze('The patients')).toEqual(['the', 'patients']);
  });

  it('does not stem tokens with digits and normalises full-width forms (NFKC)', () => {
    expect(createAnalyzer().analyze('IL-6 levels ＡＢＣ１２')).toEqual(['il', '6', 'level', 'abc12']);
  });

  it('turns CJK runs into unigrams and bigrams by default, split from Latin words and digits', () => {
    const terms = createAnalyzer().analyze('1和2型糖尿病 insulin');
    const plain = terms.map((t) => t.replace('\u0001', ''));
    expect(plain).toEqual(['1', '和', '2', '型', '糖', '尿', '病', '型糖', '糖尿', '尿病', 'insulin']);
  });

  it('bigrams only: a one-character run gives itself', () => {
    const plain = createAnalyzer({ cjk: { ngrams: [2] } }).analyze('咳嗽，痰').map((t) => t.replace('\u0001', ''));
    expect(plain).toEqual(['咳嗽', '痰']);
  });

  it('adds Intl.Segmenter words as separate terms', () => {
    const terms = createAnalyzer({ cjk: { ngrams: [], segmenter: true } }).analyze('急性喉炎');
    expect(terms.length).toBeGreaterThan(0);
    expect(terms.join('')).toBe('急性喉炎');
  });

  it('rejects bad CJK options with the key named', () => {
    expect(() => createAnalyzer({ cjk: { ngrams: [] } })).toThrow(RagArgumentError);
    expect(() => createAnalyzer({ cjk: { ngrams: [0] } })).toThrow(/options\.cjk\.ngrams\[0\]/);
    expect(() => createAnalyzer({ cjk: { ngrams: [9] } })).toThrow(/at most 8/);
    expect(() => createAnalyzer({ cjk: { ngrams: [2, 2] } })).toThrow(/repeated/);
  });
});
