/**
 * Property tests (fast-check, fixed seeds): no input crashes a verifier, and adversarial 1 MB inputs finish within
 * a generous fixed budget (a catastrophic-backtracking regex or a quadratic scan would take minutes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyMultipleChoice } from '../../src/rules/multiple-choice';
import { verifyYesNoMaybe } from '../../src/rules/yes-no-maybe';
import { verifyNumeric } from '../../src/rules/numeric';
import { verifyKeywords } from '../../src/rules/keywords';
import { verifyDrugJson } from '../../src/rules/drug-json';
import { formatReward } from '../../src/rules/format';
import type { VerificationResult } from '../../src/types';

const opts = { A: 'Aspirin', B: 'Ibuprofen', C: 'Acetaminophen', D: 'Warfarin' };
const verifiers: Array<[string, (s: string) => VerificationResult]> = [
  ['multiple-choice', (s) => verifyMultipleChoice(s, { answer: 'AC', options: opts, mode: 'partial' })],
  ['multiple-choice/letters', (s) => verifyMultipleChoice(s, { answer: 'B' })],
  ['yes-no-maybe', (s) => verifyYesNoMaybe(s, { answer: 'yes' })],
  ['numeric', (s) => verifyNumeric(s, { value: 5.5, unit: 'mmol/L', molarMass: 180.156, lastNumberFallback: true })],
  ['keywords', (s) => verifyKeywords(s, { required: [['CT', 'computed tomography'], '肌钙蛋白'], forbidden: ['MRI'] })],
  ['drug-json', (s) => verifyDrugJson(s, { drugs: ['aspirin', 'metformin'], synonyms: { aspirin: ['ASA'] } })],
  ['format', (s) => formatReward(s, { sections: ['<think>', 'Answer'], ordered: true, schema: { type: 'object', required: ['answer'] } })],
];

/** Strings built from the pieces verifiers look for, so the generator reaches the parsers' branches. */
const piece = fc.constantFrom(
  'answer', 'Answer: ', 'the answer is ', '答案', '选', '{', '}', '[', ']', '"', "'", ',', '、', '/', ' or ', '或', 'A', 'B', 'C', 'a',
  '\\boxed{', '<think>', '</think>', '<answer>', '</answer>', '```json\n', '```', '\n', ' ', '>', '“', '”', '「', '」', 'null', '2',
  '1,250', '1.5e-3', ' mg', 'mmol/L', '%', 'yes', 'no', 'maybe', '是', '否', 'not ', 'CT', 'drugs', ':', '\\', '**', '.', '?', '　', 'Ａ',
);
const adversarial = fc.oneof(fc.string({ maxLength: 300 }), fc.array(piece, { maxLength: 80 }).map((xs) => xs.join('')), fc.string({ unit: 'grapheme', maxLength: 100 }));

describe('no input string crashes a verifier', () => {
  for (const [name, verify] of verifiers) {
    it(name, () => {
      fc.assert(
        fc.property(adversarial, (s) => {
          const r = verify(s);
          expect(Number.isFinite(r.reward)).toBe(true);
          expect(r.reward).toBeGreaterThanOrEqual(0);
          expect(r.reward).toBeLessThanOrEqual(1);
          expect(['correct', 'partial', 'incorrect', 'unparseable', 'invalid']).toContain(r.verdict);
          expect(typeof r.evidence).toBe('string');
        }),
        { seed: 20261125, numRuns: 400 },
      );
    });
  }
});

/** 1 MB inputs built to trigger backtracking or rescans in each kind of parser. */
const MB = 1 << 20;
const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
const bigInputs: Array<[string, string]> = [
  ['spaces', fill(' ')],
  ['answer cues', fill('answer: ')],
  ['answer + spaces', 'answer' + fill(' ')],
  ['letters and separators', fill('A, ')],
  ['letters and spaces then is', fill('A ') + ' is'],
  ['most likely without is', fill('the most likely ')],
  ['quotes', fill('"a ')],
  ['open brackets', fill('[')],
  ['open braces', fill('{"a":')],
  ['nested lists', fill('[1,')],
  ['fences without newline', fill('```a')],
  ['think tags', fill('<think>')],
  ['digits', fill('1')],
  ['digit groups', fill('1,000,')],
  ['chinese cues', fill('答案选')],
  ['blockquotes', fill('>\n')],
  ['boxed', fill('\\boxed{')],
  ['padding then answer', fill('The patient is stable. ') + '\nAnswer: A'],
];

describe('adversarial 1 MB inputs run in (generous) linear time', () => {
  it.each(bigInputs)('%s', (_name, input) => {
    for (const [, verify] of verifiers) {
      const t0 = performance.now();
      const r = verify(input);
      const ms = performance.now() - t0;
      expect(r.reward).toBeGreaterThanOrEqual(0);
      // Linear work on 1 MB takes milliseconds to a few hundred; quadratic work would take minutes.
      expect(ms).toBeLessThan(5000);
    }
  });

  it('finds the answer after very long padding', () => {
    const r = verifyMultipleChoice(fill('The patient is stable. ') + '\nAnswer: C', { answer: 'C' });
    expect(r.reward).toBe(1);
  });
});
