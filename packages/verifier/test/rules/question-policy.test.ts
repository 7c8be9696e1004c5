/**
 * Rule 6 of the answer policy (a question is not an answer): `isQuestioned` and `inQuestion`, including the
 * memo that keeps floods of mentions linear (it must answer exactly as a fresh scan does).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inQuestion, isQuestioned, type ClauseMemo } from '../../src/rules/answer-policy';

describe('a question is not an answer', () => {
  it('isQuestioned: a candidate directly followed by a question mark', () => {
    const t = 'Code: I10? E11.9 ？ J45 . C';
    expect(isQuestioned(t, t.indexOf('I10') + 3)).toBe(true);
    expect(isQuestioned(t, t.indexOf('E11.9') + 5)).toBe(true); // spaces and the full-width mark
    expect(isQuestioned(t, t.indexOf('J45') + 3)).toBe(false);
    expect(isQuestioned(t, t.length)).toBe(false);
  });

  it('inQuestion: the first clause end after the mention is a question mark', () => {
    const t = 'Which test (ECG, troponin, chest X-ray?) first? Order an ECG. Why? Give 2.5 mg of it? 检查CT？';
    expect(inQuestion(t, t.indexOf('ECG') + 3)).toBe(true);
    expect(inQuestion(t, t.indexOf('troponin') + 8)).toBe(true);
    expect(inQuestion(t, t.indexOf('an ECG') + 6)).toBe(false); // "." ends the clause before "Why?"
    expect(inQuestion(t, t.indexOf('Give') + 4)).toBe(true); // a decimal point does not end the clause
    expect(inQuestion(t, t.indexOf('CT') + 2)).toBe(true);
    expect(inQuestion(`Order an ECG ${'x'.repeat(200)}?`, 12)).toBe(false); // beyond the 160-character window
  });

  it('the memo answers as a fresh scan, for any order of positions', () => {
    const chars = fc.constantFrom('a', ' ', '?', '？', '.', '1', '\n', '；', '!', 'word ', 'b'.repeat(90));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 25 }), (parts, picks) => {
        const text = parts.join('');
        const memo: ClauseMemo = {};
        for (const p of picks) {
          const end = p % (text.length + 1);
          expect(inQuestion(text, end, memo), `${JSON.stringify(text)} @${end}`).toBe(inQuestion(text, end));
        }
      }),
      { seed: 20261203, numRuns: 2000 },
    );
  });
});
