import { describe, expect, it } from 'vitest';
import { Bm25Index, Bm25Retriever, RAG_INSTRUCTIONS } from '@quarkmed/rag';
import { evaluate, loadBenchmark, type EvalItem } from '../../src/index';
import { sampleText } from './fixtures';
import { ScriptedModel, wrongLetter } from './scripted-model';

describe('with and without retrieval', () => {
  it('packages retrieved passages with @quarkmed/rag prompt packaging; a model that needs them scores only with them', async () => {
    const items = loadBenchmark('medqa-usmle-4', sampleText('medqa_usmle_4options.sample.jsonl'));
    // one passage per question stating its answer, plus distractors
    const docs = items.flatMap((i) => {
      if (i.kind !== 'multiple-choice') return [];
      const gold = i.options[i.answer[0]!]!;
      return [
        { pageContent: `Key fact ${i.id}: ${i.question.slice(0, 120)} The right choice is: ${gold}.`, metadata: { id: `fact-${i.id}`, source: 'test' } },
        { pageContent: `Unrelated note about ${wrongLetter(i)} and vitamins ${i.id}.`, metadata: { id: `noise-${i.id}` } },
      ];
    });
    const index = new Bm25Index();
    index.addDocuments(docs);
    const retriever = new Bm25Retriever(index, { k: 2 });
    // answers from a passage that names an option's text; without passages it cannot know
    const reader = (item: EvalItem, prompt: string): string => {
      if (item.kind !== 'multiple-choice') return '';
      const hit = Object.entries(item.options).find(([, t]) => prompt.includes(`The right choice is: ${t}.`));
      return hit ? `{"answer": "${hit[0]}"}` : `{"answer": "${wrongLetter(item)}"}`;
    };
    const without = await evaluate({ items, model: new ScriptedModel('r', items, reader) });
    const modelWith = new ScriptedModel('r', items, reader);
    const withR = await evaluate({ items, model: modelWith, retriever });
    expect(without.report.overall.accuracy).toBe(0);
    expect(without.report.retrieval).toBe(false);
    expect(withR.report.overall.accuracy).toBe(1);
    expect(withR.report.retrieval).toBe(true);
    expect(modelWith.prompts[0]!.startsWith(RAG_INSTRUCTIONS.en)).toBe(true);
    expect(modelWith.prompts[0]).toMatch(/\n\[1\] .+\n\[2\] .+\n\nQuestion: /);
    expect(withR.predictions[0]!.retrieval!.passages.map((p) => p.id)).toContain('fact-0');
    expect(withR.predictions[0]!.promptHash).not.toBe(without.predictions[0]!.promptHash);
  });

  it('Chinese questions get the Chinese packaging', async () => {
    const items = loadBenchmark('cmexam', sampleText('cmexam_val.sample.jsonl'));
    const index = new Bm25Index();
    index.addDocuments(items.map((i) => ({ pageContent: `资料：${i.question}`, metadata: { id: i.id } })));
    const model = new ScriptedModel('z', items, (i) => (i.kind === 'multiple-choice' ? `答案：${i.answer.join('')}` : ''));
    const run = await evaluate({ items, model, retriever: new Bm25Retriever(index, { k: 1 }) });
    expect(model.prompts[0]!.startsWith(RAG_INSTRUCTIONS.zh)).toBe(true);
    expect(model.prompts[0]).toContain('问题：');
    expect(run.report.overall.accuracy).toBe(1);
  });
});
