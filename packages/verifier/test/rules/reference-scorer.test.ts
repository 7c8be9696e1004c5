/**
 * Parity with our stand-in for QuarkMed's published exam scorer (./reference-scorer.ts): `scoreExam` (and so
 * `verifyMultipleChoice`) gives the same reward wherever the script is right, and where the script is wrong,
 * invalid or crashes, each case states what `scoreExam` does instead and why.
 */
import { describe, expect, it } from 'vitest';
import { scoreExam } from '../../src/rules/exam-scorer';
import { referenceScore, ReferenceScorerCrash, type ReferenceScore } from './reference-scorer';

type RefOutcome = 'right' | 'wrong' | 'invalid' | 'TypeError' | 'IndexError' | 'ValueError';
interface Case {
  name: string;
  completion: string;
  gold: string;
  options?: Record<string, string>;
  /** The correct reward (what scoreExam gives). */
  expected: number;
  /** What the reference scorer does. */
  reference: RefOutcome;
  /** Where the reference is not right: scoreExam's own choice and why. */
  why?: string;
}

const reasoning = 'The patient has fever, cough and a consolidation on the chest film; options A and C fit.';
const opts = { A: 'Amoxicillin', B: 'Vancomycin', C: 'Azithromycin', D: 'Oseltamivir' };

const cases: Case[] = [
  // Where the reference is right.
  { name: 'JSON single letter', completion: '{"answer": "B"}', gold: 'B', expected: 1, reference: 'right' },
  { name: 'compact JSON that is the whole chunk', completion: '{"answer":"B"}', gold: 'B', expected: 1, reference: 'right' },
  { name: 'JSON wrong letter', completion: '{"answer": "D"}', gold: 'B', expected: 0, reference: 'right' },
  { name: 'JSON letters any order', completion: '{"answer": "CA"}', gold: 'AC', expected: 1, reference: 'right' },
  { name: 'JSON comma separated', completion: '{"answer": "A,C"}', gold: 'AC', expected: 1, reference: 'right' },
  { name: 'JSON 、 separated', completion: '{"answer": "C、A"}', gold: 'AC', expected: 1, reference: 'right' },
  { name: 'JSON | separated', completion: '{"answer": "A|C"}', gold: 'AC', expected: 1, reference: 'right' },
  { name: 'JSON space separated', completion: '{"answer": "C A"}', gold: 'AC', expected: 1, reference: 'right' },
  { name: 'list value', completion: '{"answer": ["A", "C"]}', gold: 'AC', expected: 1, reference: 'right' },
  { name: 'list value, one element', completion: '{"answer": ["B"]}', gold: 'B', expected: 1, reference: 'right' },
  { name: 'a list of answer objects is the union', completion: '[{"answer":"A"},{"answer":"C"}]', gold: 'AC', expected: 1, reference: 'right' },
  { name: 'reasoning, a single newline, then JSON (regex fallback)', completion: `${reasoning}\n{"answer": "AC"}`, gold: 'AC', expected: 1, reference: 'right' },
  { name: '<think> block, a single newline, then JSON (regex fallback)', completion: `<think>${reasoning}</think>\n{"answer": "AC"}`, gold: 'AC', expected: 1, reference: 'right' },
  { name: 'reasoning, a blank line, then JSON', completion: `${reasoning}\n\n{"answer": "AC"}`, gold: 'AC', expected: 1, reference: 'right' },
  { name: 'reasoning, a blank line, then fenced JSON (regex on the fenced chunk)', completion: `${reasoning}\n\n\`\`\`json\n{"answer": "AC"}\n\`\`\``, gold: 'AC', expected: 1, reference: 'right' },
  { name: 'multiple response needs the exact set (subset)', completion: '{"answer": "A"}', gold: 'AC', expected: 0, reference: 'right' },
  { name: 'multiple response needs the exact set (superset)', completion: '{"answer": "ACD"}', gold: 'AC', expected: 0, reference: 'right' },
  { name: 'null value: invalid, no crash', completion: '{"answer": null}', gold: 'B', expected: 0, reference: 'invalid', why: 'same reward 0; scoreExam says unparseable (a null states no option)' },
  // Where it fails.
  {
    name: 'compact JSON after reasoning and a single newline',
    completion: `${reasoning}\n{"answer":"AC"}`,
    gold: 'AC',
    expected: 1,
    reference: 'invalid',
    why: 'the chunk is not JSON and the regex needs one character after the colon; scoreExam reads the JSON key wherever it is',
  },
  {
    name: 'compact fenced JSON after a blank line',
    completion: `${reasoning}\n\n\`\`\`json\n{"answer":"AC"}\n\`\`\``,
    gold: 'AC',
    expected: 1,
    reference: 'invalid',
    why: 'the fenced chunk is not JSON and the compact form misses the regex; scoreExam strips the fence',
  },
  {
    name: 'a draft inside <think>, then the answer after a single newline',
    completion: `<think>draft: {"answer": "B"}\nno, A and C</think>\n{"answer": "AC"}`,
    gold: 'AC',
    expected: 1,
    reference: 'wrong',
    why: 'the regex takes the first match, inside the reasoning; scoreExam removes reasoning and takes the last statement',
  },
  {
    name: 'a second key on the line after the answer',
    completion: `${reasoning}\n{"answer": "AC", "why": "atypical"}`,
    gold: 'AC',
    expected: 1,
    reference: 'wrong',
    why: 'the greedy capture runs to the last quote of the line; scoreExam reads the value only',
  },
  { name: 'A/C', completion: '{"answer": "A/C"}', gold: 'AC', expected: 1, reference: 'wrong', why: '"/" is not removed; scoreExam reads it as a separator' },
  { name: 'full-width comma', completion: '{"answer": "A，C"}', gold: 'AC', expected: 1, reference: 'wrong', why: 'full-width "，" is not removed; scoreExam folds full-width forms' },
  { name: 'lowercase letters', completion: '{"answer": "ac"}', gold: 'AC', expected: 1, reference: 'wrong', why: 'compared case-sensitively; scoreExam upper-cases letters' },
  { name: 'option text instead of letter', completion: '{"answer": "Vancomycin"}', gold: 'B', options: opts, expected: 1, reference: 'wrong', why: 'no mapping from option text; scoreExam maps an option text to its letter' },
  { name: 'number as value', completion: '{"answer": 2}', gold: 'B', expected: 0, reference: 'TypeError', why: 'scoreExam: unparseable, reward 0, no crash' },
  { name: 'empty list', completion: '{"answer": []}', gold: 'B', expected: 0, reference: 'IndexError', why: 'scoreExam: an empty answer is incorrect, reward 0, no crash' },
  { name: 'a bare JSON string', completion: '"B"', gold: 'B', expected: 1, reference: 'ValueError', why: 'scoreExam reads a quoted letter as the bare answer B' },
  { name: 'trailing spaces in gold', completion: '{"answer": "AC"}', gold: 'AC  ', expected: 1, reference: 'wrong', why: 'the gold is compared raw (two CPQExam golds have a trailing space); scoreExam trims gold answers' },
  { name: 'trailing space in gold, single', completion: '{"answer": "B"}', gold: 'B ', expected: 1, reference: 'wrong', why: 'as above' },
];

function runReference(c: Case): ReferenceScore | RefOutcome {
  try {
    return referenceScore(c.completion, c.gold);
  } catch (e) {
    if (e instanceof ReferenceScorerCrash) return e.pythonError;
    throw e;
  }
}

describe('reference scorer stand-in', () => {
  it.each(cases)('$name: reference is $reference', (c) => {
    const r = runReference(c);
    if (c.reference === 'right') expect(r).toBe(c.expected);
    else if (c.reference === 'wrong') expect(r).toBe(c.expected === 1 ? 0 : 1);
    else expect(r).toBe(c.reference);
  });

  it('never crashes on a null value (it is invalid), and crashes with the documented error otherwise', () => {
    expect(referenceScore('{"answer": null}', 'B')).toBe('invalid');
    expect(() => referenceScore('{"answer": 5}', 'B')).toThrow(/TypeError/);
    expect(() => referenceScore('{"answer": []}', 'B')).toThrow(/IndexError/);
    expect(() => referenceScore('"B"', 'B')).toThrow(/ValueError/);
  });
});

describe('scoreExam vs the reference scorer', () => {
  it.each(cases)('$name: scoreExam gives $expected', (c) => {
    const s = scoreExam([{ completion: c.completion, answer: c.gold, ...(c.options ? { options: c.options } : {}), mode: 'exact' }]);
    expect(s.perQuestion[0]!.reward).toBe(c.expected);
    if (c.reference === 'right') expect(s.perQuestion[0]!.reward).toBe(runReference(c));
    if (c.reference !== 'right') expect(c.why, `${c.name}: document scoreExam's own choice`).toBeTruthy();
  });

  it('gives unparseable (not incorrect) for a number or null value and incorrect for an empty list', () => {
    const s = scoreExam(['{"answer": 2}', '{"answer": null}', '{"answer": []}'].map((completion) => ({ completion, answer: 'B' })));
    expect(s.perQuestion.map((q) => q.verdict)).toEqual(['unparseable', 'unparseable', 'incorrect']);
  });

  it('covers every documented behaviour of the script', () => {
    const outcomes = new Set(cases.map((c) => c.reference));
    for (const o of ['right', 'wrong', 'invalid', 'TypeError', 'IndexError', 'ValueError'] as const) expect(outcomes.has(o), o).toBe(true);
    expect(cases.filter((c) => c.reference === 'right').length).toBeGreaterThanOrEqual(12);
  });
});
