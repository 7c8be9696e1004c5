import { describe, expect, it } from 'vitest';
import { CurateInputError } from '../../src/curate/errors';
import { dedupKey, normalizeText } from '../../src/curate/normalize';
import { shippedParagraphs } from './helpers';

describe('normalizeText', () => {
  it('maps full-width Latin letters, digits and the ideographic space to half-width (NFKC)', () => {
    expect(normalizeText('ＣＲＰ　１２３ mg')).toBe('CRP 123 mg');
    expect(normalizeText('ﬁbrosis')).toBe('fibrosis');
  });

  it('keeps Chinese punctuation full-width next to Chinese and English punctuation half-width', () => {
    expect(normalizeText('急性喉炎(A对)，声带疾患(B错),百日咳')).toBe('急性喉炎（A对），声带疾患（B错），百日咳');
    expect(normalizeText('The CRP (C-reactive protein), measured at 10:30, was 1,000.')).toBe(
      'The CRP (C-reactive protein), measured at 10:30, was 1,000.',
    );
    // Digit separators inside Chinese text stay half-width.
    expect(normalizeText('白细胞计数12,000，升高')).toBe('白细胞计数12,000，升高');
  });

  it('makes full-width and half-width variants of the same Chinese text equal', () => {
    const a = '第二心音（AD错），强度较S1（第一心音）弱（B错）。';
    const b = '第二心音(AD错),强度较Ｓ１(第一心音)弱(B错)。';
    expect(normalizeText(a)).toBe(normalizeText(b));
  });

  it('halfwidth mode leaves the NFKC result', () => {
    expect(normalizeText('急性喉炎（A对），', { cjkPunctuation: 'halfwidth' })).toBe('急性喉炎(A对),');
  });

  it('keeps superscripts that NFKC would fold into digits', () => {
    expect(normalizeText('WBC 12×10⁹/L, area 2 m²')).toBe('WBC 12×10⁹/L, area 2 m²');
    expect(normalizeText('10⁹/L', { keepSuperscripts: false })).toBe('109/L');
  });

  it('removes control and zero-width characters and normalises line breaks and whitespace', () => {
    expect(normalizeText('\uFEFFa\u200Bb\u0007c\u00ADd')).toBe('abcd');
    expect(normalizeText('  line one  \t here \r\nline two\r\r\r\rpara\u2028x  ')).toBe('line one here\nline two\n\npara\nx');
    expect(normalizeText('a\n\nb', { keepNewlines: false })).toBe('a b');
    expect(normalizeText(' \u200B\t\n ')).toBe('');
  });

  it('is idempotent on the shipped-style mixed text', () => {
    const t = '嘶哑样咳嗽可见于急性喉炎(A对),由于声带炎症.  Hoffmann征(ABCE错)  （人卫八版诊断学P148）\n\n\nThe end (really).';
    const once = normalizeText(t);
    expect(normalizeText(once)).toBe(once);
  });

  it('is idempotent on every shipped paragraph', () => {
    for (const p of [...shippedParagraphs('pubmedqa-abstracts.en.txt'), ...shippedParagraphs('cmexam-explanations.zh.txt')]) {
      const once = normalizeText(p);
      expect(normalizeText(once)).toBe(once);
    }
  });

  it('rejects a non-string with a CurateInputError', () => {
    expect(() => normalizeText(42 as unknown as string)).toThrow(/text must be a string, got number/);
    expect(() => normalizeText(42 as unknown as string)).toThrow(CurateInputError);
  });

  it('dedupKey collapses case, width and whitespace', () => {
    expect(dedupKey('Cholera  IS\nan ＩＮＦＥＣＴＩＯＮ')).toBe(dedupKey('cholera is an infection'));
    expect(dedupKey('霍乱，是一种感染')).toBe(dedupKey('霍乱,是一种感染'));
    expect(dedupKey('cholera is an infection')).not.toBe(dedupKey('cholera is an infections'));
  });
});
