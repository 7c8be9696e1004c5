import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../src/curate/normalize';
import { charClassRatios, detectLanguage, qualityCheck, repeatedLineRatio, repeatedNgramRatio } from '../../src/curate/quality';
import { shippedParagraphs } from './helpers';

const EN = 'Cholera is an acute diarrhoeal infection caused by ingestion of food or water contaminated with the bacterium Vibrio cholerae.';
const ZH = '霍乱是由霍乱弧菌引起的急性肠道传染病，主要通过被污染的水和食物传播，临床表现为剧烈腹泻和呕吐。';

describe('character classes and language id', () => {
  it('counts letters, CJK, digits, punctuation and symbols over non-whitespace characters', () => {
    const r = charClassRatios('ab 中文 12 ,。 +€');
    expect(r.count).toBe(10);
    expect(r.letters).toBeCloseTo(0.2);
    expect(r.cjk).toBeCloseTo(0.2);
    expect(r.digits).toBeCloseTo(0.2);
    expect(r.punctuation).toBeCloseTo(0.2);
    expect(r.symbols).toBeCloseTo(0.2);
    expect(charClassRatios('   ').count).toBe(0);
  });

  it('tells English from Chinese, including Chinese with Latin abbreviations, and rejects other text', () => {
    expect(detectLanguage(EN).language).toBe('en');
    expect(detectLanguage(ZH).language).toBe('zh');
    expect(detectLanguage('CRP和白细胞计数（WBC）升高提示急性阑尾炎').language).toBe('zh');
    expect(detectLanguage('Die Cholera ist eine Infektionskrankheit des Dünndarms, die durch das Bakterium Vibrio cholerae verursacht wird.').language).toBe('unknown');
    expect(detectLanguage('12 34 56 %% ##').language).toBe('unknown');
  });
});

describe('repetition ratios', () => {
  it('repeated lines', () => {
    expect(repeatedLineRatio('a\nb\na\na')).toEqual({ lines: 0.5, chars: 0.5 });
    expect(repeatedLineRatio('one\ntwo').lines).toBe(0);
  });

  it('repeated n-grams: a text made of one repeated sentence is mostly repeated', () => {
    expect(repeatedNgramRatio(EN, 5)).toBe(0);
    const spam = Array.from({ length: 6 }, () => 'buy cheap pills online now today').join(' ');
    expect(repeatedNgramRatio(spam, 5)).toBeGreaterThan(0.8);
    expect(repeatedNgramRatio('短', 5)).toBe(0);
    expect(() => repeatedNgramRatio('x', 0)).toThrow(/n must be a positive integer, got 0/);
  });
});

describe('qualityCheck', () => {
  it('passes normal English and Chinese medical text', () => {
    expect(qualityCheck(EN)).toMatchObject({ pass: true, failed: [] });
    expect(qualityCheck(ZH)).toMatchObject({ pass: true, failed: [] });
  });

  it('the default thresholds keep at least 95% of the shipped paragraphs', () => {
    for (const file of ['pubmedqa-abstracts.en.txt', 'cmexam-explanations.zh.txt']) {
      const paras = shippedParagraphs(file).map((p) => normalizeText(p));
      const passed = paras.filter((p) => qualityCheck(p).pass).length;
      expect(passed / paras.length).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('each filter fails on its own kind of bad text', () => {
    expect(qualityCheck('Too short.').failed).toEqual(['min-chars']);
    expect(qualityCheck(EN, { maxChars: 50 }).failed).toEqual(['max-chars']);
    expect(qualityCheck('The values were 12 34 56 78 90 12 34 56 78 90 and 11 22 33 44 55 66.').failed).toContain('max-digit-ratio');
    expect(qualityCheck('The value... was -- ?? !! ;; :: (( )) [[ ]] high, of the sort.').failed).toContain('max-punctuation-ratio');
    expect(qualityCheck('The value of the $$$ +++ === <<< >>> ||| ~~~ ^^^ is high').failed).toContain('max-symbol-ratio');
    expect(qualityCheck('12.5 / 13.7 / 14.2 / 15.9 / 16.1 / 17.3 %').failed).toContain('min-alpha-ratio');
    expect(qualityCheck('Die Cholera ist eine Infektionskrankheit des Dünndarms, verursacht durch Vibrio cholerae.').failed).toEqual(['language']);
    expect(qualityCheck(EN, { languages: ['zh'] }).failed).toEqual(['language']);
    expect(qualityCheck(ZH, {}, 'en').failed).toEqual(['language-mismatch']);
    expect(qualityCheck(`${EN}\n${EN}\n${EN}\nAnother line of the text here.`).failed).toEqual(['repeated-lines', 'repeated-ngrams']);
    const spam = Array.from({ length: 8 }, () => 'the pills are the best pills for the patients').join(' ');
    expect(qualityCheck(spam).failed).toEqual(['repeated-ngrams']);
    const zhSpam = Array.from({ length: 6 }, () => '本品疗效显著安全可靠欢迎购买').join('，');
    expect(qualityCheck(zhSpam).failed).toEqual(['repeated-ngrams']);
  });

  it('a bound set to false is not applied', () => {
    expect(qualityCheck('Too short.', { minChars: false }).pass).toBe(true);
    expect(qualityCheck('Die Cholera ist eine Infektionskrankheit des Dünndarms.', { languages: false }).pass).toBe(true);
  });
});
