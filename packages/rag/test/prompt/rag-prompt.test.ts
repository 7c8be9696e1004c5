import { describe, expect, it } from 'vitest';
import { buildRagPrompt, RAG_INSTRUCTIONS, RagArgumentError } from '../../src/index';

const docs = [
  { pageContent: 'Metformin is first-line\nfor type 2 diabetes.', metadata: { id: 'a' } },
  { pageContent: 'Insulin treats type 1 diabetes.', metadata: { id: 'b' } },
];

describe('buildRagPrompt', () => {
  it('numbers passages one per line in the retrieval-noise task format (English)', () => {
    const p = buildRagPrompt('What is first-line for type 2 diabetes?', docs);
    expect(p.language).toBe('en');
    expect(p.prompt).toBe(
      `${RAG_INSTRUCTIONS.en}\n\n[1] Metformin is first-line for type 2 diabetes.\n[2] Insulin treats type 1 diabetes.\n\nQuestion: What is first-line for type 2 diabetes?`,
    );
    expect(p.passages.map((x) => [x.n, x.document.metadata.id])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  it('uses the Chinese instructions for a Chinese question, and keeps the first maxPassages', () => {
    const p = buildRagPrompt('2型糖尿病首选什么药？', docs, { maxPassages: 1 });
    expect(p.language).toBe('zh');
    expect(p.prompt).toBe(`${RAG_INSTRUCTIONS.zh}\n\n[1] Metformin is first-line for type 2 diabetes.\n\n问题：2型糖尿病首选什么药？`);
  });

  it('matches the instruction text data-synth trains on', async () => {
    const { readFileSync } = await import('node:fs');
    const task = readFileSync(new URL('../../../data-synth/src/tasks/retrieval-noise.ts', import.meta.url), 'utf8');
    expect(task).toContain(RAG_INSTRUCTIONS.en);
    expect(task).toContain(RAG_INSTRUCTIONS.zh);
  });

  it('rejects an empty question, no passages, an empty passage and bad options', () => {
    expect(() => buildRagPrompt(' ', docs)).toThrow(/question: is empty/);
    expect(() => buildRagPrompt('q', [])).toThrow(/documents: needs at least one/);
    expect(() => buildRagPrompt('q', [{ pageContent: '', metadata: {} }])).toThrow(/documents\[0\]\.pageContent/);
    expect(() => buildRagPrompt('q', docs, { maxPassages: 0 })).toThrow(/options\.maxPassages/);
    expect(() => buildRagPrompt('q', docs, { language: 'fr' as never })).toThrow(RagArgumentError);
  });
});
