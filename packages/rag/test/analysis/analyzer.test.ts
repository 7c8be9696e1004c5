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

  it('turns CJK runs into unigrams and bigrams, split from Latin words and digits', () => {
    const terms = createAnalyzer({ cjk: { segmenter: false } }).analyze('1和2型糖尿病 insulin');
    const plain = terms.map((t) => t.replace('\u0001', ''));
    expect(plain).toEqual(['1', '和', '2', '型', '糖', '尿', '病', '型糖', '糖尿', '尿病', 'insulin']);
  });

  it('adds the Intl.Segmenter words of each CJK run by default, apart from the n-grams', () => {
    const terms = createAnalyzer().analyze('1和2型糖尿病 insulin');
    const grams = terms.filter((t) => t.startsWith('\u0001')).map((t) => t.slice(1));
    expect(grams).toEqual(['和', '型', '糖', '尿', '病', '型糖', '糖尿', '尿病']);
    const words = terms.filter((t) => !t.startsWith('\u0001') && /\p{Script=Han}/u.test(t));
    const seg = new Intl.Segmenter('zh', { granularity: 'word' });
    const expected = ['和', '型糖尿病'].flatMap((run) => [...seg.segment(run)].filter((s) => s.isWordLike).map((s) => s.segment));
    expect(words).toEqual(expected);
    expect(words.join('')).toBe('和型糖尿病');
    expect(terms.filter((t) => /^[\da-z]+$/.test(t))).toEqual(['1', '2', 'insulin']);
  });

  it('bigrams only: a one-character run gives itself', () => {
    const plain = createAnalyzer({ cjk: { ngrams: [2], segmenter: false } }).analyze('咳嗽，痰').map((t) => t.replace('\u0001', ''));
    expect(plain).toEqual(['咳嗽', '痰']);
  });

  it('adds Intl.Segmenter words as separate terms', () => {
    const terms = createAnalyzer({ cjk: { ngrams: [], segmenter: true } }).analyze('急性喉炎');
    expect(terms.length).toBeGreaterThan(0);
    expect(terms.join('')).toBe('急性喉炎');
  });

  it('rejects bad CJK options with the key named', () => {
    expect(() => createAnalyzer({ cjk: { ngrams: [], segmenter: false } })).toThrow(RagArgumentError);
    expect(() => createAnalyzer({ cjk: { ngrams: [0] } })).toThrow(/options\.cjk\.ngrams\[0\]/);
    expect(() => createAnalyzer({ cjk: { ngrams: [9] } })).toThrow(/at most 8/);
    expect(() => createAnalyzer({ cjk: { ngrams: [2, 2] } })).toThrow(/repeated/);
  });
});
