import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@quarkmed/tensor-kernels';
import { CHATML_TEMPLATE, LlamaModel, generate, trainBpe, type Tokenizer } from '@quarkmed/model';
import { saveCheckpoint, saveTokenizer } from '@quarkmed/model/node';
import { EvalModelAbortError, LocalModel, LocalModelInputError, evaluate, loadBenchmark } from '../../src/index';
import { loadLocalEvalModel } from '../../src/node/index';
import { sampleText } from '../eval/fixtures';

const CORPUS = [
  'The patient presents with fever and cough. Answer: B',
  'Which of the following is the most likely diagnosis? A. asthma B. pneumonia C. gout D. anemia',
  '{"answer": "C"} The correct option is C because the findings fit.',
  'Respond with JSON only. The letter of the correct option.',
];

let tokenizer: Tokenizer;
let chatTokenizer: Tokenizer;
let model: LlamaModel;
let dir: string;

beforeAll(async () => {
  await initBackend('cpu', { log: false });
  await tf.ready();
  tokenizer = trainBpe(CORPUS, { vocabSize: 300, specialTokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] });
  chatTokenizer = trainBpe(CORPUS, { vocabSize: 300, specialTokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'], chatTemplate: CHATML_TEMPLATE });
  model = new LlamaModel({ vocabSize: 300, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 64, maxSeqLen: 96 }, { seed: 3 });
  dir = await mkdtemp(join(tmpdir(), 'qm-local-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalModel: a @quarkmed/model checkpoint as an EvalModel', () => {
  it('generates greedily what generate() gives for the rendered prompt; batched calls equal single calls', async () => {
    const single = new LocalModel({ model, tokenizer, id: 'tiny', batchSize: 1, defaultMaxTokens: 8 });
    const batched = new LocalModel({ model, tokenizer, id: 'tiny', batchSize: 4, defaultMaxTokens: 8 });
    const prompts = ['The patient', 'Answer: B', 'Which of the following', '{"answer"', 'fever'];
    const one: string[] = [];
    for (const p of prompts) one.push(await single.generate(p));
    const many = await Promise.all(prompts.map((p) => batched.generate(p)));
    expect(many).toEqual(one);
    expect(batched.batches).toEqual([4, 1]);
    expect(single.batches).toEqual([1, 1, 1, 1, 1]);
    const [ref] = await generate(model, [tokenizer.encode('The patient')], { tokenizer, maxNewTokens: 8, temperature: 0, validUtf8: true });
    expect(one[0]).toBe(ref!.text);
  });

  it('renders messages with the tokenizer chat template when it has one, plain text otherwise', () => {
    const messages = [{ role: 'user' as const, content: 'Answer: B' }];
    const withTemplate = new LocalModel({ model, tokenizer: chatTokenizer, id: 't' });
    expect(withTemplate.render(messages)).toBe('<|im_start|>user\nAnswer: B<|im_end|>\n<|im_start|>assistant\n');
    expect(withTemplate.render(messages)).toBe(chatTokenizer.applyChatTemplate(messages, { addGenerationPrompt: true }));
    expect(new LocalModel({ model, tokenizer: chatTokenizer, id: 't', chatTemplate: 'none' }).render(messages)).toBe('Answer: B');
    expect(new LocalModel({ model, tokenizer, id: 't' }).render([{ role: 'system', content: 's' }, ...messages])).toBe('s\n\nAnswer: B');
  });

  it('a prompt that does not fit is an error unless truncatePrompt keeps its end', async () => {
    const long = 'The patient presents with fever and cough. '.repeat(20);
    const m = new LocalModel({ model, tokenizer, id: 't', defaultMaxTokens: 8 });
    await expect(m.generate(long)).rejects.toBeInstanceOf(LocalModelInputError);
    await expect(m.generate(long)).rejects.toThrow(/the prompt has \d+ tokens; with maxTokens 8 it exceeds the model's maxSeqLen 96/);
    const t = new LocalModel({ model, tokenizer, id: 't', defaultMaxTokens: 8, truncatePrompt: true });
    expect(typeof (await t.generate(long))).toBe('string');
  });

  it('an aborted call rejects at once; the others in its batch finish', async () => {
    const m = new LocalModel({ model, tokenizer, id: 't', batchSize: 4, defaultMaxTokens: 16 });
    const ctl = new AbortController();
    const a = m.generate('The patient', { signal: ctl.signal });
    const b = m.generate('Answer: B');
    ctl.abort();
    await expect(a).rejects.toBeInstanceOf(EvalModelAbortError);
    expect(await b).toBe(await new LocalModel({ model, tokenizer, id: 't', defaultMaxTokens: 16 }).generate('Answer: B'));
  });

  it('loads a saved checkpoint folder and runs the harness on it (deterministic predictions)', async () => {
    await saveCheckpoint(dir, model);
    await saveTokenizer(tokenizer, dir);
    const loaded = await loadLocalEvalModel(dir, { defaultMaxTokens: 6, truncatePrompt: true, batchSize: 3 });
    expect(loaded.id).toBe(dir);
    const items = loadBenchmark('mmlu-medical', sampleText('mmlu_medical.sample.jsonl')).slice(0, 3);
    const a = await evaluate({ items, model: loaded, concurrency: 3 });
    const b = await evaluate({ items, model: new LocalModel({ model, tokenizer, id: dir, defaultMaxTokens: 6, truncatePrompt: true }) });
    expect(a.predictions.map((p) => p.output)).toEqual(b.predictions.map((p) => p.output));
    expect(a.report.overall.n).toBe(3);
    expect(loaded.batches.reduce((s, n) => s + n, 0)).toBe(3);
  });
});
