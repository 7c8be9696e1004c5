import { describe, expect, it } from 'vitest';
import { extractYesNoMaybe, verifyYesNoMaybe } from '../../src/rules/yes-no-maybe';

const cases: Array<[string, string | null]> = [
  ['Yes.', 'yes'],
  ['No, the trial did not show a benefit.', 'no'],
  ['Maybe', 'maybe'],
  ['The evidence is mixed. Final answer: maybe', 'maybe'],
  ['Answer: NO', 'no'],
  ['{"answer": "yes"}', 'yes'],
  ['<think>answer: yes</think>\nAnswer: no', 'no'],
  ['<think>answer: yes</think>', null],
  ['答案：是', 'yes'],
  ['答案：否', 'no'],
  ['答案：可能', 'maybe'],
  ['答案：不确定', 'maybe'],
  ['结论：不是', 'no'],
  ['Answer: yes or no, hard to say', 'hedge'],
  ['The study says "the answer is yes" but I disagree. Answer: no', 'no'],
  ['The study says "the answer is yes".', null],
  ['The answer is yes. On reflection, the answer is no.', 'no'],
  ['\\boxed{yes}', 'yes'],
  ['Let us weigh the evidence carefully.', null],
];

describe('extractYesNoMaybe', () => {
  it.each(cases)('%j → %s', (completion, want) => {
    expect(extractYesNoMaybe(completion).label).toBe(want);
  });
});

describe('verifyYesNoMaybe', () => {
  it('scores labels in English and Chinese', () => {
    expect(verifyYesNoMaybe('Answer: yes', { answer: 'yes' })).toMatchObject({ reward: 1, verdict: 'correct' });
    expect(verifyYesNoMaybe('答案：是', { answer: 'YES ' }).reward).toBe(1);
    expect(verifyYesNoMaybe('Answer: no', { answer: '是' })).toMatchObject({ reward: 0, verdict: 'incorrect' });
    expect(verifyYesNoMaybe('Answer: yes or no', { answer: 'yes' })).toMatchObject({ reward: 0, verdict: 'incorrect' });
    expect(verifyYesNoMaybe('hmm', { answer: 'maybe' }).verdict).toBe('unparseable');
    expect(() => verifyYesNoMaybe('yes', { answer: 'perhaps not' })).toThrow(/answer/);
  });
});
