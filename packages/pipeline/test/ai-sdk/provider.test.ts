/**
 * The AI SDK provider (`LanguageModelV4`) with `generateText` and `streamText` from `ai`: the text equals
 * `@quarkmed/model`'s own generation of the chat-templated prompt, usage and finish reasons are right, stop sequences
 * and seeds map, abort stops generation (counted model forwards stop), and unsupported input is refused or warned.
 */
import { generateText, streamText } from 'ai';
import { generate, type GenerationModel, type LlamaModel, type Tokenizer } from '@quarkmed/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiSdkInputError, QuarkmedLanguageModel, chatStopIds, createQuarkmed } from '../../src/ai-sdk/index';
import { tinyModel, useCpu } from '../serve/tiny-checkpoint';

let model: LlamaModel;
let tokenizer: Tokenizer;
let forwards = 0;
let counted: GenerationModel;

beforeAll(async () => {
  await useCpu();
  ({ model, tokenizer } = await tinyModel());
  counted = {
    config: model.config,
    createCache: () => model.createCache(),
    forward: (ids, options) => {
      forwards += 1;
      return model.forward(ids, options);
    },
  };
});
afterAll(() => model?.dispose());

const QUESTION = 'What is the first-line drug for type 2 diabetes?';

async function reference(maxNewTokens: number, extra: { temperature?: number; seed?: number; stopSequences?: string[] } = {}) {
  const ids = tokenizer.encode(tokenizer.applyChatTemplate([{ role: 'user', content: QUESTION }], { addGenerationPrompt: true }));
  const [r] = await generate(model, [ids], { tokenizer, maxNewTokens, stopIds: chatStopIds(model, tokenizer), validUtf8: true, temperature: 0, ...extra });
  return { ids, result: r! };
}

describe('generateText', () => {
  it('returns the model’s own greedy generation with usage and finish reason', async () => {
    const quarkmed = createQuarkmed({ model, tokenizer, modelId: 'tiny' });
    const r = await generateText({ model: quarkmed(), prompt: QUESTION, maxOutputTokens: 8 });
    const { ids, result } = await reference(8);
    expect(r.text).toBe(result.text);
    expect(r.usage.inputTokens).toBe(ids.length);
    expect(r.usage.outputTokens).toBe(result.tokenIds.length);
    expect(r.finishReason).toBe(result.finishReason === 'length' ? 'length' : 'stop');
    expect(r.response.modelId).toBe('tiny');
  });

  it('maps temperature, seed and stop sequences', async () => {
    const lm = new QuarkmedLanguageModel({ model, tokenizer });
    const a = await generateText({ model: lm, prompt: QUESTION, maxOutputTokens: 16, temperature: 1, seed: 4 });
    const b = await generateText({ model: lm, prompt: QUESTION, maxOutputTokens: 16, temperature: 1, seed: 4 });
    const c = await generateText({ model: lm, prompt: QUESTION, maxOutputTokens: 16, temperature: 1, seed: 5 });
    expect(a.text).toBe(b.text);
    expect(c.text).not.toBe(a.text);
    expect(a.text).toBe((await reference(16, { temperature: 1, seed: 4 })).result.text);
    const greedy = (await reference(16)).result.text;
    expect(greedy.length).toBeGreaterThan(8);
    const stop = greedy.slice(4, 7);
    const cut = await generateText({ model: lm, prompt: QUESTION, maxOutputTokens: 16, stopSequences: [stop] });
    expect(cut.text).toBe(greedy.slice(0, greedy.indexOf(stop)));
    expect(cut.finishReason).toBe('stop');
  });

  it('warns about unsupported settings and refuses file parts', async () => {
    const lm = new QuarkmedLanguageModel({ model, tokenizer });
    const r = await generateText({ model: lm, prompt: QUESTION, maxOutputTokens: 2, presencePenalty: 0.5 });
    expect(r.warnings).toContainEqual({ type: 'unsupported', feature: 'presencePenalty' });
    await expect(
      generateText({ model: lm, maxOutputTokens: 2, messages: [{ role: 'user', content: [{ type: 'file', data: new Uint8Array([1, 2]), mediaType: 'application/pdf' }] }] }),
    ).rejects.toThrow(/prompt\[0\]\.content\[0\] is a 'file' part/);
    await expect(lm.doGenerate({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }], maxOutputTokens: 10_000 })).rejects.toBeInstanceOf(AiSdkInputError);
    expect(() => new QuarkmedLanguageModel({ model, tokenizer, defaultMaxOutputTokens: 0 })).toThrow(AiSdkInputError);
  });

  it('rejects with the abort reason and stops generating', async () => {
    const lm = new QuarkmedLanguageModel({ model: counted, tokenizer });
    const controller = new AbortController();
    const before = forwards;
    setTimeout(() => controller.abort(), 30);
    await expect(generateText({ model: lm, prompt: QUESTION, maxOutputTokens: 400, temperature: 1, seed: 1, abortSignal: controller.signal, maxRetries: 0 })).rejects.toThrow(/abort/i);
    const stoppedAt = forwards;
    await new Promise((r) => setTimeout(r, 200));
    expect(forwards).toBe(stoppedAt);
    expect(stoppedAt - before).toBeLessThan(400);
  });
});

describe('streamText', () => {
  it('streams the same text as generateText, with usage and finish reason', async () => {
    const lm = createQuarkmed({ model, tokenizer })();
    const whole = await generateText({ model: lm, prompt: QUESTION, maxOutputTokens: 20, temperature: 0.8, seed: 2 });
    const s = streamText({ model: lm, prompt: QUESTION, maxOutputTokens: 20, temperature: 0.8, seed: 2 });
    const deltas: string[] = [];
    for await (const d of s.textStream) deltas.push(d);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(whole.text);
    expect(await s.finishReason).toBe(whole.finishReason);
    expect((await s.usage).outputTokens).toBe(whole.usage.outputTokens);
    expect((await s.usage).inputTokens).toBe(whole.usage.inputTokens);
  });

  it('stops generating when aborted mid-stream', async () => {
    const lm = new QuarkmedLanguageModel({ model: counted, tokenizer });
    const controller = new AbortController();
    const before = forwards;
    let aborted = false;
    const s = streamText({ model: lm, prompt: QUESTION, maxOutputTokens: 400, temperature: 1, seed: 1, abortSignal: controller.signal, onAbort: () => { aborted = true; } });
    let n = 0;
    try {
      for await (const _ of s.textStream) {
        n += 1;
        if (n === 3) controller.abort();
      }
    } catch {
      // streamText may end the stream or throw the abort
    }
    const stoppedAt = forwards;
    await new Promise((r) => setTimeout(r, 200));
    expect(forwards).toBe(stoppedAt);
    expect(stoppedAt - before).toBeLessThan(20);
    expect(aborted).toBe(true);
  });
});
