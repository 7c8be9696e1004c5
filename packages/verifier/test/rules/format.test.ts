import { describe, expect, it } from 'vitest';
import { formatReward, validateSchema, withFormat } from '../../src/rules/format';
import { verifyMultipleChoice, type MultipleChoiceReference } from '../../src/rules/multiple-choice';

const schema = {
  type: 'object' as const,
  required: ['answer', 'confidence'],
  properties: { answer: { type: 'string' as const, enum: ['A', 'B', 'C', 'D'] }, confidence: { type: 'number' as const }, tags: { type: 'array' as const, items: { type: 'string' as const } } },
};

describe('validateSchema', () => {
  it('checks type, required, properties, enum and items', () => {
    expect(validateSchema({ answer: 'A', confidence: 0.9 }, schema)).toEqual([]);
    expect(validateSchema({ answer: 'E', confidence: 1 }, schema)[0]).toMatch(/\$\.answer/);
    expect(validateSchema({ answer: 'A' }, schema)).toEqual(['$: missing required "confidence"']);
    expect(validateSchema({ answer: 'A', confidence: 1, tags: ['x', 2] }, schema)).toEqual(['$.tags[1]: expected string, got integer']);
    expect(validateSchema([], schema)).toEqual(['$: expected object, got array']);
    expect(validateSchema(3, { type: 'number' })).toEqual([]);
  });
});

describe('formatReward', () => {
  it('checks sections, order and a strictly valid JSON', () => {
    const good = '<think>reasoning</think>\n## Diagnosis\nPneumonia\n```json\n{"answer": "B", "confidence": 0.7}\n```';
    const spec = { sections: ['<think>', 'Diagnosis'], ordered: true, schema };
    expect(formatReward(good, spec)).toMatchObject({ reward: 1, verdict: 'correct' });
    const broken = '<think>r</think>\nDiagnosis: x\n{"answer": "B", "confidence": 0.7,}';
    const r = formatReward(broken, spec);
    expect(r.reward).toBeCloseTo(3 / 5, 12);
    expect(r.details?.failed).toEqual(['valid JSON', 'schema']);
    expect(formatReward('Diagnosis: x\n<think>r</think>', { sections: ['<think>', 'Diagnosis'], ordered: true }).reward).toBeCloseTo(2 / 3, 12);
    expect(formatReward('plain', { sections: ['<answer>'] })).toMatchObject({ reward: 0, verdict: 'incorrect' });
    expect(() => formatReward('x', {})).toThrow(/spec/);
  });
});

describe('withFormat', () => {
  it('adds a weighted format reward to a task verifier', () => {
    const v = withFormat<MultipleChoiceReference>(verifyMultipleChoice, { sections: ['<think>'] }, 0.2);
    const r = v.verify('<think>hmm</think>Answer: B', { answer: 'B' }) as ReturnType<typeof verifyMultipleChoice>;
    expect(r.reward).toBeCloseTo(1.2, 12);
    expect(r.verdict).toBe('correct');
    const r2 = v.verify('Answer: C', { answer: 'B' }) as ReturnType<typeof verifyMultipleChoice>;
    expect(r2.reward).toBe(0);
    expect(() => withFormat(verifyMultipleChoice, { sections: ['x'] }, -1)).toThrow(/weight/);
  });

  it('handles async verifiers', async () => {
    const v = withFormat(async () => ({ reward: 0.5, verdict: 'partial' as const, evidence: 'x', source: 'model' as const }), { sections: ['<answer>'] }, 1);
    await expect(v.verify('<answer>B</answer>', null)).resolves.toMatchObject({ reward: 1.5, source: 'model' });
  });
});
