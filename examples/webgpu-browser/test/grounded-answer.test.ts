import { LlamaModel, trainBpe, type BpeTokenizer } from '@quarkmed/model';
import { parseCitations } from '@quarkmed/rag';
import { initBackend } from '@quarkmed/tensor-kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { PromptBudgetError } from '../src/app-error';
import { indexCorpus, parseCorpus, type CorpusIndex, type CorpusRecord } from '../src/corpus-index';
import { answerQuestion, type AnswerSettings } from '../src/grounded-answer';

const RECORDS: CorpusRecord[] = [
  { id: 'a', text: 'Acute appendicitis in elderly patients: leukocyte count and C-reactive protein were both elevated in most patients.', source: 's1', title: 't1', language: 'en', license: 'MIT' },
  { id: 'b', text: 'Metformin is the first-line drug for type 2 diabetes and lowers hepatic glucose output.', source: 's2', title: 't2', language: 'en', license: 'MIT' },
  { id: 'c', text: 'C-reactive protein is an acute phase reactant produced by the liver during inflammation.', source: 's3', title: 't3', language: 'en', license: 'MIT' },
  { id: 'd', text: '急性阑尾炎的典型症状是转移性右下腹痛。', source: 's4', title: 't4', language: 'zh', license: 'Apache-2.0' },
];
const QUESTION = 'Is C-reactive protein elevated in acute appendicitis or in type 2 diabetes?';
const SETTINGS: AnswerSettings = { k: 3, maxNewTokens: 6, temperature: 0.8, topP: 0.95, repetitionPenalty: 1.3, seed: 1 };

describe('answerQuestion (retrieval → numbered prompt → streamed tokens → citation check)', () => {
  let tokenizer: BpeTokenizer;
  let corpus: CorpusIndex;
  const model = (maxSeqLen: number): LlamaModel =>
    new LlamaModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 16, numLayers: 1, numHeads: 2, numKvHeads: 1, intermediateSize: 32, maxSeqLen }, { seed: 5 });

  beforeAll(async () => {
    await initBackend('cpu', { log: false });
    tokenizer = trainBpe(RECORDS.map((r) => r.text), { vocabSize: 320 });
    corpus = indexCorpus(parseCorpus(RECORDS.map((r) => JSON.stringify(r)).join('\n'), 'corpus.jsonl'), tokenizer, 64);
  });

  it('streams every token, numbers the retrieved passages and checks exactly the citations the text contains', async () => {
    const streamed: string[] = [];
    let announced: number | undefined;
    const m = model(512);
    const r = await answerQuestion(QUESTION, { model: m, tokenizer, index: corpus.index }, SETTINGS, {
      onPassages: (p) => (announced = p.length),
      onToken: (e) => streamed.push(e.text),
    });
    expect(announced).toBe(r.passages.length);
    expect(r.passages.map((p) => p.n)).toEqual(r.passages.map((_, i) => i + 1));
    expect(r.passages[0]!.document.metadata['parentId']).toBe('a'); // the record about appendicitis and CRP ranks first
    expect(r.prompt).toContain(`[1] ${r.passages[0]!.text}`);
    expect(r.prompt.endsWith(`Question: ${QUESTION}`)).toBe(true);
    expect(r.promptTokens).toBe(tokenizer.encode(`${r.prompt}\n`).length);
    expect(streamed).toHaveLength(r.generatedTokens);
    expect(r.finishReason === 'length' ? r.generatedTokens === 6 : r.finishReason === 'stop').toBe(true);
    expect(r.citations.cited).toEqual([...new Set(parseCitations(r.text))]);
    // Same seed, same answer.
    const again = await answerQuestion(QUESTION, { model: m, tokenizer, index: corpus.index }, SETTINGS);
    expect(again.text).toBe(r.text);
  });

  it('drops passages from the end to fit the context, and fails when even one does not fit', async () => {
    const full = await answerQuestion(QUESTION, { model: model(512), tokenizer, index: corpus.index }, SETTINGS);
    expect(full.passages.length).toBe(3);
    const oneFits = tokenizer.encode(`${(await answerQuestion(QUESTION, { model: model(512), tokenizer, index: corpus.index }, { ...SETTINGS, k: 1 })).prompt}\n`).length;
    const tight = await answerQuestion(QUESTION, { model: model(oneFits + SETTINGS.maxNewTokens), tokenizer, index: corpus.index }, SETTINGS);
    expect(tight.passages.length).toBe(1);
    expect(tight.promptTokens + SETTINGS.maxNewTokens).toBeLessThanOrEqual(oneFits + SETTINGS.maxNewTokens);
    const e = await answerQuestion(QUESTION, { model: model(oneFits + SETTINGS.maxNewTokens - 1), tokenizer, index: corpus.index }, SETTINGS).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PromptBudgetError);
    expect((e as PromptBudgetError).promptTokens).toBe(oneFits);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const r = await answerQuestion(QUESTION, { model: model(512), tokenizer, index: corpus.index }, { ...SETTINGS, maxNewTokens: 50 }, { onToken: (e) => e.step === 1 && controller.abort() }, controller.signal);
    expect(r.finishReason).toBe('abort');
    expect(r.generatedTokens).toBe(2);
  });
});
