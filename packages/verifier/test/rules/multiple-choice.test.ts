import { describe, expect, it } from 'vitest';
import { extractChoice, parseGoldLetters } from '../../src/rules/answer-extraction';
import { verifyMultipleChoice } from '../../src/rules/multiple-choice';
import { scoreExam } from '../../src/rules/exam-scorer';

const opts = { A: 'Aspirin', B: 'Ibuprofen', C: 'Acetaminophen', D: 'Warfarin', E: 'Heparin' };
const R = 'The patient has a history of peptic ulcer disease, so NSAIDs carry risk. Option A raises bleeding risk. ';

/** [completion, expected letters | 'hedge' | 'none' | 'empty' | 'non-answer'] */
const extraction: Array<[string, string]> = [
  ['B', 'B'],
  ['(B)', 'B'],
  ['B. Ibuprofen', 'B'],
  ['The answer is B.', 'B'],
  ['Answer: b', 'B'],
  ['{"answer": "B"}', 'B'],
  ['{"answer": ["A","C"]}', 'AC'],
  ["{'answer': 'C'}", 'C'],
  ['{"answer": "A、C"}', 'AC'],
  ['{"answer": "A/C"}', 'AC'],
  ['{"answer": "Ａ，Ｃ"}', 'AC'],
  ['{"answer": "A，C"}', 'AC'],
  ['答案：B', 'B'],
  ['正确答案是B', 'B'],
  ['选B', 'B'],
  ['答案为B', 'B'],
  ['故选D。', 'D'],
  ['不选A，选C', 'C'],
  ['答案：A、C', 'AC'],
  ['\\boxed{B}', 'B'],
  ['$\\boxed{\\text{C}}$', 'C'],
  [`${R}\nAnswer: D`, 'D'],
  [`${R}\n\`\`\`json\n{"answer": "C"}\n\`\`\``, 'C'],
  [`${R}\n{"answer": "C"}`, 'C'],
  ['<think>the answer is A</think>\nThe answer is B', 'B'],
  ['<think>the answer is A</think>', 'none'],
  ['<think>the answer is A', 'none'],
  ['I was told to think.</think>Answer: E', 'E'],
  ['The answer is A. Wait, actually the answer is C.', 'C'],
  ['Answer: C\n\n```json\n{"answer": "A"}\n```', 'A'],
  ['The answer is A or B', 'hedge'],
  ['答案是A或B', 'hedge'],
  ['answer: either A or C', 'hedge'],
  ['The passage says "the correct answer is D". Anyway, I choose B.', 'B'],
  ['> the correct answer is D\n\nMy answer: C', 'C'],
  ['The passage says "the correct answer is D".', 'none'],
  ['A note reads “the correct answer is D”.', 'none'],
  ['{"answer": 2}', 'non-answer'],
  ['{"answer": null}', 'non-answer'],
  ['{"answer": []}', 'empty'],
  ['The answer is Ibuprofen.', 'B'],
  ['{"answer": "Warfarin"}', 'D'],
  ['B is correct.', 'B'],
  ['Option C is the correct answer because it is safest.', 'C'],
  ['A and C are correct', 'AC'],
  ['B项正确', 'B'],
  ['The answer is not A.', 'none'],
  ['Is the answer B?', 'none'],
  ['The most likely diagnosis is (C) acetaminophen toxicity', 'C'],
  ['Answer: I think it is D', 'D'],
  ['Let me consider A. Then B. Both have issues.', 'none'],
  ['**Answer: E**', 'E'],
  ['Final Answer\n\nD', 'D'],
  [`${R}\n\nE`, 'E'],
  ['The answer is ACE inhibitors', 'none'],
  ['the answer is a bit unclear', 'none'],
  ['{"answer": "The answer is B"}', 'B'],
  ['{"answer": "B", "explanation": "the correct answer is D because"}', 'B'],
  ['<answer>C</answer>', 'C'],
  ['Some text. <answer>The answer is D</answer>', 'D'],
];

describe('extractChoice', () => {
  it.each(extraction)('%j → %s', (completion, want) => {
    const e = extractChoice(completion, { options: opts });
    if (e.kind === 'letters') expect(e.letters.join('')).toBe(want);
    else expect(e.kind).toBe(want);
  });

  it('restricts letters to the options and reports the source', () => {
    const e = extractChoice('Answer: F', { letters: 'ABCDE' });
    expect(e.kind).toBe('none');
    const j = extractChoice('blah\n```json\n{"answer": "B"}\n```', {});
    expect(j.kind === 'letters' && j.via).toBe('json');
  });

  it('parses gold letters, ignoring case, separators and trailing spaces', () => {
    expect(parseGoldLetters('AC  ')).toEqual(['A', 'C']);
    expect(parseGoldLetters('c,a')).toEqual(['A', 'C']);
    expect(parseGoldLetters(['B'])).toEqual(['B']);
    expect(() => parseGoldLetters('')).toThrow(/answer/);
    expect(() => parseGoldLetters('1')).toThrow(/answer/);
  });
});

describe('verifyMultipleChoice', () => {
  it('scores single response', () => {
    expect(verifyMultipleChoice('The answer is C.', { answer: 'C' })).toMatchObject({ reward: 1, verdict: 'correct', source: 'rule' });
    expect(verifyMultipleChoice('The answer is D.', { answer: 'C' })).toMatchObject({ reward: 0, verdict: 'incorrect' });
    expect(verifyMultipleChoice('no idea', { answer: 'C' })).toMatchObject({ reward: 0, verdict: 'unparseable' });
  });

  it('gives nothing for listing every option or several letters on a single-response question', () => {
    const r = verifyMultipleChoice('Answer: A, B, C, D, E', { answer: 'C', options: opts });
    expect(r.reward).toBe(0);
    expect(r.details?.hedge).toBe(true);
    expect(verifyMultipleChoice('Answer: C or D', { answer: 'C' }).reward).toBe(0);
  });

  it('scores multiple response exactly or partially', () => {
    expect(verifyMultipleChoice('答案：AC', { answer: 'ACD', mode: 'exact' }).reward).toBe(0);
    const p = verifyMultipleChoice('答案：AC', { answer: 'ACD', mode: 'partial' });
    expect(p.reward).toBeCloseTo(2 / 3, 12);
    expect(p.verdict).toBe('partial');
    expect(verifyMultipleChoice('答案：ACE', { answer: 'ACD', mode: 'partial' }).reward).toBe(0);
    expect(verifyMultipleChoice('答案：DCA', { answer: 'ACD', mode: 'partial' }).reward).toBe(1);
    // Every option: nothing unless the gold is every option.
    expect(verifyMultipleChoice('答案：ABCDE', { answer: 'AC', mode: 'partial', options: opts }).reward).toBe(0);
    expect(verifyMultipleChoice('答案：ABCDE', { answer: 'ABCDE', options: opts }).reward).toBe(1);
  });

  it('extends the default letters to the gold letter and validates the gold', () => {
    expect(verifyMultipleChoice('The answer is H.', { answer: 'H' }).reward).toBe(1);
    expect(() => verifyMultipleChoice('B', { answer: 'F', options: opts })).toThrow(/answer: gold letter F/);
  });
});

describe('scoreExam', () => {
  it('computes accuracy and per-question results', () => {
    const s = scoreExam([
      { id: 'q1', completion: 'Answer: A', answer: 'A' },
      { id: 'q2', completion: '{"answer": "B"}', answer: 'C' },
      { id: 'q3', completion: 'hmm', answer: 'D' },
      { id: 'q4', completion: '答案：AB', answer: 'ABC', mode: 'partial' },
      { id: 'q5', completion: 'A', answer: '' },
    ]);
    expect(s.n).toBe(5);
    expect(s.accuracy).toBeCloseTo(1 / 5, 12);
    expect(s.meanReward).toBeCloseTo((1 + 2 / 3) / 5, 12);
    expect(s.counts).toEqual({ correct: 1, partial: 1, incorrect: 1, unparseable: 1, invalid: 1 });
    expect(s.perQuestion[1]).toMatchObject({ id: 'q2', gold: 'C', chosen: 'B', verdict: 'incorrect' });
  });
});

describe('negated cues versus option texts that start with a negation', () => {
  const zh = { A: '消耗热', B: '不规则热', C: '回归热', D: '稽留热', E: '弛张热' };
  it('reads an option text starting with 不 after 答案 as that option', () => {
    const e = extractChoice('逐项分析各选项。\n答案：不规则热', { options: zh });
    expect(e).toMatchObject({ kind: 'letters', letters: ['B'], fromOptionText: true });
    expect(verifyMultipleChoice('分析如下。\n答案：不规则热', { answer: 'B', options: zh }).reward).toBe(1);
  });
  it('still treats a negation that is not an option text as negated', () => {
    // 不是回归热 is not an option text: the negated cue is rejected and the earlier statement wins
    expect(extractChoice('答案：A。答案：不是回归热', { options: zh })).toMatchObject({ kind: 'letters', letters: ['A'] });
    expect(extractChoice('答案：不选C', { options: zh }).kind).toBe('none');
    const en = { A: 'Not indicated', B: 'Aspirin', C: 'Heparin' };
    expect(extractChoice('Answer: Not indicated', { options: en })).toMatchObject({ kind: 'letters', letters: ['A'] });
    expect(extractChoice('The answer is B. The answer is not C', { options: en })).toMatchObject({ kind: 'letters', letters: ['B'] });
  });
});
