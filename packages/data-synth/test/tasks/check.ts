/** Structural validation of instruction samples, shared by the task tests. */
import { expect } from 'vitest';
import { DIMENSIONS, type InstructionSample } from '../../src/tasks';

/** Asserts the structure of a sample (ids, messages, reference, options). */
export function expectValidSample(s: InstructionSample): void {
  expect(s.id.startsWith(`${s.task}:${s.language}:`)).toBe(true);
  expect(DIMENSIONS).toContain(s.dimension);
  expect(['atomic', 'composite']).toContain(s.level);
  expect(s.messages.length).toBeGreaterThanOrEqual(2);
  const last = s.messages[s.messages.length - 1]!;
  expect(last.role).toBe('assistant');
  for (const m of s.messages) expect(m.content.trim().length).toBeGreaterThan(0);
  expect(s.messages.some((m) => m.role === 'user')).toBe(true);
  expect(s.entityIds.length).toBeGreaterThan(0);
  expect(new Set(s.entityIds).size).toBe(s.entityIds.length);
  expect(s.answerFacts.length).toBeGreaterThan(0);
  expect(['A', 'B', 'C', 'D', 'E']).toContain(s.authority);
  expect(s.source.length).toBeGreaterThan(0);
  expect(s.reference).toBeDefined();
  const ref = s.reference!;
  const response = last.content;
  switch (ref.kind) {
    case 'multiple-choice': {
      expect(s.options).toBeDefined();
      const opts = s.options!;
      expect(opts.length).toBeGreaterThanOrEqual(2);
      expect(opts.map((o) => o.letter).join('')).toBe('ABCDEFGHIJ'.slice(0, opts.length));
      expect(new Set(opts.map((o) => o.text.toLowerCase())).size).toBe(opts.length);
      const ans = opts.find((o) => o.letter === ref.value);
      expect(ans).toBeDefined();
      // The prompt shows every option and the response names the right one.
      const prompt = s.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
      for (const o of opts) expect(prompt).toContain(`${o.letter}. ${o.text}`);
      expect(response).toContain(`${ref.value}. ${ans!.text}`);
      break;
    }
    case 'icd10':
      expect(ref.value).toMatch(/^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/);
      expect(response).toContain(ref.value);
      break;
    case 'yes-no-maybe':
      expect(['yes', 'no', 'maybe']).toContain(ref.value);
      if (s.language === 'zh') expect(response.startsWith(ref.value === 'yes' ? '是' : ref.value === 'no' ? '否' : '可能')).toBe(true);
      else expect(response.toLowerCase()).toMatch(new RegExp(`^(answer: )?${ref.value}\\b`));
      break;
    case 'drug-json': {
      const parsed = JSON.parse(response) as unknown[];
      expect(parsed).toEqual(ref.value);
      expect(ref.value.length).toBeGreaterThan(0);
      break;
    }
    case 'keywords':
      expect(ref.value.length).toBeGreaterThan(0);
      for (const k of ref.value) expect(response.toLowerCase()).toContain(k.toLowerCase());
      break;
    case 'text':
      expect(ref.value.length).toBeGreaterThan(0);
      expect(response).toBe(ref.value);
      break;
  }
}
