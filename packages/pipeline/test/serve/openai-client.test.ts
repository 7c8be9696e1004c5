/**
 * `quarkmed serve` over real HTTP on loopback, driven by the official `openai` npm client: chat completions (whole
 * and streamed), completions, models, sampling parameters, retrieval with citations, API keys, and the
 * concurrency and abort behaviour.
 */
import { rm } from 'node:fs/promises';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bm25Index, Bm25Retriever, buildRagPrompt, type Document } from '@quarkmed/rag';
import { loadLocalModel, startServer, type LocalModel, type RunningServer } from '../../src/node/index';
import { tinyCheckpointDir, useCpu } from './tiny-checkpoint';

let dir: string;
let local: LocalModel;
let server: RunningServer;
let client: OpenAI;
const MODEL = 'tiny-med';

const DOCS: Document[] = [
  { pageContent: 'Metformin is the first-line drug for type 2 diabetes; it lowers hepatic glucose output.', metadata: { id: 'metformin', title: 'Metformin', source: 'guideline-a' } },
  { pageContent: 'Acute appendicitis presents with periumbilical pain migrating to the right lower quadrant.', metadata: { id: 'appendicitis', title: 'Appendicitis', source: 'textbook-b' } },
  { pageContent: 'C-reactive protein rises within hours of an acute inflammatory stimulus.', metadata: { id: 'crp', title: 'CRP', source: 'review-c' } },
  { pageContent: 'Warfarin therapy is monitored with the international normalized ratio.', metadata: { id: 'warfarin', title: 'Warfarin', source: 'guideline-d' } },
];

beforeAll(async () => {
  await useCpu();
  dir = await tinyCheckpointDir();
  local = await loadLocalModel(dir);
  server = await startServer({ ...local, modelId: MODEL, port: 0, maxTokens: 400, maxConcurrent: 2, maxQueue: 8 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 60_000 });
});

afterAll(async () => {
  await server?.close();
  local?.model.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('chat completions', () => {
  it('answers in the chat.completion shape with usage that counts the rendered prompt', async () => {
    const messages = [{ role: 'user' as const, content: 'What is the first-line drug for type 2 diabetes?' }];
    const r = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 12, seed: 3 });
    expect(r.object).toBe('chat.completion');
    expect(r.id).toMatch(/^chatcmpl-/);
    expect(r.model).toBe(MODEL);
    expect(r.choices).toHaveLength(1);
    expect(r.choices[0]!.message.role).toBe('assistant');
    expect(typeof r.choices[0]!.message.content).toBe('string');
    const promptIds = local.tokenizer.encode(local.tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true }));
    expect(r.usage!.prompt_tokens).toBe(promptIds.length);
    expect(r.usage!.completion_tokens).toBeGreaterThan(0);
    expect(r.usage!.completion_tokens).toBeLessThanOrEqual(12);
    expect(r.usage!.total_tokens).toBe(r.usage!.prompt_tokens + r.usage!.completion_tokens);
    if (r.choices[0]!.finish_reason === 'length') expect(r.usage!.completion_tokens).toBe(12);
  });

  it('streams by SSE the same text as the whole answer, ending with [DONE]', async () => {
    const body = { model: MODEL, messages: [{ role: 'user' as const, content: 'Describe appendicitis.' }], max_tokens: 20, seed: 11, temperature: 0.9 };
    const whole = await client.chat.completions.create(body);
    const stream = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null = null;
    let role: string | undefined;
    let usage: OpenAI.CompletionUsage | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      expect(chunk.object).toBe('chat.completion.chunk');
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      role ??= choice.delta.role;
      text += choice.delta.content ?? '';
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(role).toBe('assistant');
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(finish).toBe(whole.choices[0]!.finish_reason);
    expect(usage).toEqual(whole.usage);

    // The raw wire format: `data: {json}\n\n` events and a final `data: [DONE]\n\n`.
    const res = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const raw = await res.text();
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
    const events = raw.split('\n\n').filter((e) => e !== '');
    for (const e of events) expect(e).toMatch(/^data: /);
    const rebuilt = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.slice(6)) as { choices: { delta: { content?: string } }[] })
      .map((c) => c.choices[0]?.delta.content ?? '')
      .join('');
    expect(rebuilt).toBe(whole.choices[0]!.message.content);
  });

  it('maps seed, temperature, top_p, n, stop and max_tokens', async () => {
    const messages = [{ role: 'user' as const, content: 'List causes of fever.' }];
    const ask = (extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>) =>
      client.chat.completions.create({ model: MODEL, messages, max_tokens: 24, ...extra }).then((r) => r.choices.map((c) => c.message.content ?? ''));
    const [a] = await ask({ seed: 5, temperature: 1 });
    const [b] = await ask({ seed: 5, temperature: 1 });
    const [c] = await ask({ seed: 6, temperature: 1 });
    expect(a).toBe(b); // same seed, same sample
    expect(c).not.toBe(a); // another seed, another sample
    const [g1] = await ask({ seed: 1, temperature: 0 });
    const [g2] = await ask({ seed: 2, temperature: 0 });
    expect(g1).toBe(g2); // greedy ignores the seed
    const [nucleus] = await ask({ seed: 9, temperature: 1, top_p: 1e-6 });
    expect(nucleus).toBe(g1); // top_p that keeps one token is greedy
    const two = await ask({ seed: 5, temperature: 1, n: 2 });
    expect(two).toHaveLength(2);
    expect(two[0]).toBe(a); // row 0 of a batch samples as a single request does
    expect(two[1]).not.toBe(two[0]);
    // A stop sequence taken from inside the greedy answer cuts it there.
    expect(g1!.length).toBeGreaterThan(8);
    const stop = g1!.slice(4, 7);
    const cut = g1!.slice(0, g1!.indexOf(stop));
    const stopped = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 24, temperature: 0, stop: [stop] });
    expect(stopped.choices[0]!.message.content).toBe(cut);
    expect(stopped.choices[0]!.finish_reason).toBe('stop');
    const short = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 3, temperature: 0 });
    expect(short.usage!.completion_tokens).toBeLessThanOrEqual(3);
    expect(g1!.startsWith(short.choices[0]!.message.content!)).toBe(true);
  });
});

describe('completions and models', () => {
  it('completes text, whole and streamed, with usage', async () => {
    const body = { model: MODEL, prompt: 'The diagnosis of acute appendicitis', max_tokens: 10, temperature: 0 };
    const r = await client.completions.create(body);
    expect(r.object).toBe('text_completion');
    expect(r.choices[0]!.index).toBe(0);
    expect(r.usage!.prompt_tokens).toBe(local.tokenizer.encode(body.prompt).length);
    const stream = await client.completions.create({ ...body, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(r.choices[0]!.text);
    // Several prompts × n: prompt-major choice indices.
    const many = await client.completions.create({ model: MODEL, prompt: ['Fever in children', 'Chest pain'], n: 2, max_tokens: 4, temperature: 0 });
    expect(many.choices.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    expect(many.choices[0]!.text).toBe(many.choices[1]!.text); // greedy: both choices of a prompt agree
  });

  it('lists and retrieves the served model', async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual([MODEL]);
    expect((await client.models.retrieve(MODEL)).id).toBe(MODEL);
    await expect(client.models.retrieve('gpt-4o')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('retrieval with citations', () => {
  it('packages retrieved passages with rag’s prompt and returns them as citations', async () => {
    const index = new Bm25Index();
    index.addDocuments(DOCS);
    const rag = await startServer({ ...local, modelId: MODEL, port: 0, retrieval: { retriever: new Bm25Retriever(index, { k: 2 }) } });
    try {
      const ragClient = new OpenAI({ baseURL: `${rag.url}/v1`, apiKey: 'x', maxRetries: 0 });
      const question = 'What is the first-line drug for type 2 diabetes?';
      const r = (await ragClient.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: question }], max_tokens: 6, temperature: 0 })) as OpenAI.ChatCompletion & {
        citations: { index: number; id: string; title: string; text: string }[];
        choices: { citation_check: { ok: boolean; cited: number[] } }[];
      };
      expect(r.citations.length).toBeGreaterThan(0);
      expect(r.citations[0]).toMatchObject({ index: 1, id: 'metformin', title: 'Metformin', source: 'guideline-a' });
      const docs = await new Bm25Retriever(index, { k: 2 }).invoke(question);
      const { prompt } = buildRagPrompt(question, docs);
      const expected = local.tokenizer.encode(local.tokenizer.applyChatTemplate([{ role: 'user', content: prompt }], { addGenerationPrompt: true }));
      expect(r.usage!.prompt_tokens).toBe(expected.length);
      expect(typeof r.choices[0]!.citation_check.ok).toBe('boolean');
      // `retrieval: false` sends the question alone.
      const plain = await ragClient.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: question }], max_tokens: 2, temperature: 0, retrieval: false } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      expect(plain.usage!.prompt_tokens).toBeLessThan(r.usage!.prompt_tokens);
      expect((plain as unknown as Record<string, unknown>).citations).toBeUndefined();
      // Streamed: the citations come with the first chunk.
      const stream = await ragClient.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: question }], max_tokens: 4, stream: true });
      let first: Record<string, unknown> | undefined;
      for await (const chunk of stream) first ??= chunk as unknown as Record<string, unknown>;
      expect((first!.citations as { id: string }[])[0]!.id).toBe('metformin');
    } finally {
      await rag.close();
    }
  });
});

describe('api key', () => {
  it('refuses requests without the right bearer key', async () => {
    const secured = await startServer({ ...local, modelId: MODEL, port: 0, apiKey: 'sk-test-123' });
    try {
      const wrong = new OpenAI({ baseURL: `${secured.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
      const err = await wrong.models.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_api_key');
      await expect(wrong.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      const none = await fetch(`${secured.url}/v1/models`);
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual({ error: { message: expect.stringContaining("didn't provide an API key"), type: 'invalid_request_error', param: null, code: 'missing_api_key' } });
      const right = new OpenAI({ baseURL: `${secured.url}/v1`, apiKey: 'sk-test-123', maxRetries: 0 });
      expect((await right.models.list()).data[0]!.id).toBe(MODEL);
      expect(secured.stats.tokensGenerated).toBe(0); // refused requests never reached the model
    } finally {
      await secured.close();
    }
  });
});

describe('cancellation and concurrency', () => {
  it('stops generating when the client aborts a stream', async () => {
    const body = { model: MODEL, prompt: 'Elderly patients with abdominal pain', max_tokens: 300, temperature: 1, seed: 1 };
    const reference = await client.completions.create(body);
    const full = reference.usage!.completion_tokens;
    expect(full).toBeGreaterThan(100); // unaborted, this request runs long (seeded: deterministic)
    const before = { ...server.stats };
    const controller = new AbortController();
    const stream = await client.completions.create({ ...body, stream: true }, { signal: controller.signal });
    let chunks = 0;
    try {
      for await (const _ of stream) {
        chunks += 1;
        if (chunks === 3) controller.abort();
      }
    } catch {
      // the client may end the loop or throw its abort error; either way the connection is closed
    }
    expect(chunks).toBeLessThan(10);
    const deadline = Date.now() + 10_000;
    while (server.stats.activeGenerations > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(server.stats.activeGenerations).toBe(0);
    const after = server.stats.tokensGenerated;
    await new Promise((r) => setTimeout(r, 300));
    expect(server.stats.tokensGenerated).toBe(after); // the generation counter stopped
    expect(server.stats.generationsAborted).toBe(before.generationsAborted + 1);
    expect(after - before.tokensGenerated).toBeLessThan(full / 2); // stopped soon after the abort, not at the end
    expect(server.load()).toEqual({ running: 0, waiting: 0 });
  });

  it('queues up to maxQueue and answers 429 beyond', async () => {
    const busy = await startServer({ ...local, modelId: MODEL, port: 0, maxConcurrent: 1, maxQueue: 1, maxTokens: 400 });
    try {
      const c = new OpenAI({ baseURL: `${busy.url}/v1`, apiKey: 'x', maxRetries: 0 });
      const controller = new AbortController();
      const long = await c.completions.create({ model: MODEL, prompt: 'Chest pain', max_tokens: 400, temperature: 0, stream: true }, { signal: controller.signal });
      const it = long[Symbol.asyncIterator]();
      await it.next(); // the first request holds the only slot
      const queued = c.completions.create({ model: MODEL, prompt: 'Fever', max_tokens: 2, temperature: 0 });
      const deadline = Date.now() + 10_000;
      while (busy.load().waiting < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(busy.load()).toEqual({ running: 1, waiting: 1 });
      const err = await c.completions.create({ model: MODEL, prompt: 'Cough', max_tokens: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('rate_limit_exceeded');
      controller.abort();
      await it.next().catch(() => undefined);
      const q = await queued; // the queued request runs once the slot frees
      expect(q.choices).toHaveLength(1);
    } finally {
      await busy.close();
    }
  });
});
