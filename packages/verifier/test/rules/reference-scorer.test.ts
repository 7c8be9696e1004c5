/**
 * Agreement with our reconstruction of QuarkMed's published scorer (./reference-scorer.ts): we agree wherever it
 * is right, and are right where it is wrong or crashes.
 */
import { describe, expect, it } from 'vitest';
import { verifyMultipleChoice } from '../../src/rules/multiple-choice';
import { referenceScore } from './reference-scorer';

type RefOutcome = 'right' | 'wrong' | 'crash';
interface Case {
  name: string;
  completion: string;
  gold: string;
  options?: Record<string, string>;
  /** The correct score. */
  expected: number;
  /** How the reference scorer does on it. */
  reference: RefOutcome;
}

const reasoning = 'The patient has fever, cough and a consolidation on the chest film; options A and C fit. ';
const opts = { A: 'Amoxicillin', B: 'Vancomycin', C: 'Azithromycin', D: 'Oseltamivir' };

const cases: Case[] = [
  // Where the reference is right.
  { name: 'JSON single letter', completion: '{"answer": "B"}', gold: 'B', expected: 1, reference: 'right' },
  { name: 'JSON wrong letter', completion: '{"answer": "D"}', gold: 'B', expected: 0, reference: 'right' },
  { name: 'JSON letters in order', completion: '{"answer": "AC"}', gold: 'AC', expected: 1, reference: 'right' },
  { name: 'JSON letters any order', completion: '{"answer": "CA"}', gold: 'AC', expected: 1, reference: 'right' },
  { name: 'JSON comma separated', completion: '{"answer": "A,C"}', gold: 'AC', expected: 1, reference: 'right' },
  { name: 'JSON 、 separated', completion: '{"answer": "C、A"}', gold: 'AC', expected: 1, reference: 'right' },
  { name: 'fenced JSON after reasoning', completion: `${reasoning}\n\`\`\`json\n{"answer": "AC"}\n\`\`\``, gold: 'AC', expected: 1, reference: 'right' },
  { name: 'list value', completion: '{"answer": ["A", "C"]}', gold: 'AC', expected: 1, reference: 'right' },
  { name: 'list value, one element', completion: '{"answer": ["B"]}', gold: 'B', expected: 1, reference: 'right' },
  { name: 'multiple response needs the exact set (subset)', completion: '{"answer": "A"}', gold: 'AC', expected: 0, reference: 'right' },
  { name: 'multiple response needs the exact set (superset)', completion: '{"answer": "ACD"}', gold: 'AC', expected: 0, reference: 'right' },
  // Where it fails.
  { name: 'unfenced JSON after reasoning', completion: `${reasoning}\n{"answer": "AC"}`, gold: 'AC', expected: 1, reference: 'crash' },
  {
    name: '<think> block with a draft, fenced final answer',
    completion: `<think>draft:\n\`\`\`json\n{"answer": "B"}\n\`\`\`\nno, A and C</think>\n\`\`\`json\n{"answer": "AC"}\n\`\`\``,
    gold: 'AC',
    expected: 1,
    reference: 'wrong',
  },
  { name: '<think> block then JSON', completion: `<think>${reasoning}</think>\n{"answer": "AC"}`, gold: 'AC', expected: 1, reference: 'crash' },
  { name: 'A/C', completion: '{"answer": "A/C"}', gold: 'AC', expected: 1, reference: 'wrong' },
  { name: 'full-width comma', completion: '{"answer": "A，C"}', gold: 'AC', expected: 1, reference: 'wrong' },
  { name: 'lowercase letters', completion: '{"answer": "ac"}', gold: 'AC', expected: 1, reference: 'wrong' },
  { name: 'option text instead of letter', completion: '{"answer": "Vancomycin"}', gold: 'B', options: opts, expected: 1, reference: 'wrong' },
  { name: 'number as value', completion: '{"answer": 2}', gold: 'B', expected: 0, reference: 'crash' },
  { name: 'null as value', completion: '{"answer": null}', gold: 'B', expected: 0, reference: 'crash' },
  { name: 'empty list', completion: '{"answer": []}', gold: 'B', expected: 0, reference: 'crash' },
  { name: 'trailing spaces in gold', completion: '{"answer": "AC"}', gold: 'AC  ', expected: 1, reference: 'wrong' },
  { name: 'trailing space in gold, single', completion: '{"answer": "B"}', gold: 'B ', expected: 1, reference: 'wrong' },
];

function runReference(c: Case): number | 'crash' {
  try {
    return referenceScore(c.completion, c.gold);
  } catch {
    return 'crash';
  }
}

describe('reference scorer reconstruction', () => {
  it.each(cases)('$name: reference is $reference', (c) => {
    const r = runReference(c);
    if (c.reference === 'crash') expect(r).toBe('crash');
    else if (c.reference === 'right') expect(r).toBe(c.expected);
    else {
      expect(r).not.toBe('crash');
      expect(r).not.toBe(c.expected);
    }
  });
});

describe('verifyMultipleChoice vs the reference scorer', () => {
  it.each(cases)('$name: we score $expected', (c) => {
    const ours = verifyMultipleChoice(c.completion, { answer: c.gold, options: c.options, mode: 'exact' });
    expect(ours.reward).toBe(c.expected);
    expect(ours.source).toBe('rule');
    if (c.reference === 'right') expect(ours.reward).toBe(runReference(c));
  });

  it('gives unparseable (not incorrect) for a number or null value and incorrect for an empty list', () => {
    expect(verifyMultipleChoice('{"answer": 2}', { answer: 'B' }).verdict).toBe('unparseable');
    expect(verifyMultipleChoice('{"answer": null}', { answer: 'B' }).verdict).toBe('unparseable');
    expect(verifyMultipleChoice('{"answer": []}', { answer: 'B' }).verdict).toBe('incorrect');
  });

  it('agrees on every right case and covers every listed failure', () => {
    expect(cases.filter((c) => c.reference === 'right').length).toBeGreaterThanOrEqual(8);
    expect(cases.filter((c) => c.reference !== 'right').length).toBeGreaterThanOrEqual(11);
  });
});
