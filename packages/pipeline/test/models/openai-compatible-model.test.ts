import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Backoff,
  EvalModelAbortError,
  EvalModelConfigError,
  EvalModelHttpError,
  EvalModelRequestError,
  EvalModelResponseError,
  MemoryAnswerCache,
  OpenAICompatibleModel,
  evaluate,
  loadBenchmark,
  parseRetryAfter,
  type OpenAICompatibleModelOptions,
} from '../../src/index';
import { FileAnswerCache } from '../../src/node/index';
import { sampleText } from '../eval/fixtures';
import { FakeOpenAIServer } from './fake-openai-server';

let server: FakeOpenAIServer;
let baseUrl: string;
const dirs: string[] = [];
beforeEach(async () => {
  server = new FakeOpenAIServer();
  baseUrl = await server.start();
});
afterEach(async () => {
  await server.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const fast = { initialMs: 5, maxMs: 20 };
const client = (o: Partial<OpenAICompatibleModelOptions> = {}): OpenAICompatibleModel => new OpenAICompatibleModel({ baseUrl, model: 'test-model', backoff: fast, ...o });

describe('OpenAICompatibleModel over real HTTP on loopback', () => {
  it('sends a chat completion request and returns the message content', async () => {
    server.answer = (b) => `echo ${(b.messages as { content: string }[])[0]!.content}`;
    const m = client({ apiKeyEnv: 'QM_TEST_KEY', env: { QM_TEST_KEY: 'sk-test' } });
    expect(await m.generate('hello', { maxTokens: 7, temperature: 0, seed: 3, stop: ['\n\n'] })).toBe('echo hello');
    expect(server.seen[0]).toMatchObject({ url: '/v1/chat/completions', authorization: 'Bearer sk-test' });
    expect(server.seen[0]!.body).toEqual({ model: 'test-model', max_tokens: 7, temperature: 0, seed: 3, stop: ['\n\n'], messages: [{ role: 'user', content: 'hello' }] });
    expect(m.id).toBe(`test-model@${baseUrl}`);
  });

  it('the completions endpoint sends the prompt text and reads choices[0].text', async () => {
    server.answer = (b) => `[${String(b.prompt)}]`;
    const m = client({ endpoint: 'completions' });
    expect(await m.generate([{ role: 'system', content: 's' }, { role: 'user', content: 'u' }])).toBe('[s\n\nu]');
    expect(server.seen[0]!.url).toBe('/v1/completions');
  });

  it('retries 500 and 503 with backoff, then succeeds', async () => {
    server.plan = [{ status: 500 }, { status: 503 }, 'ok'];
    const m = client();
    expect(await m.generate('x')).toBe('ok');
    expect(server.seen).toHaveLength(3);
    expect(m.stats).toMatchObject({ requests: 3, retries: 2 });
  });

  it('honours Retry-After on 429 (waits at least that long)', async () => {
    server.plan = [{ status: 429, retryAfter: '1' }, 'ok'];
    const m = client();
    const t0 = Date.now();
    expect(await m.generate('x')).toBe('ok');
    const gap = server.seen[1]!.at - server.seen[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a Retry-After beyond maxRetryAfterMs ends the retries with the status', async () => {
    server.plan = [{ status: 429, retryAfter: '3600' }];
    const e = await client().generate('x').catch((x) => x);
    expect(e).toBeInstanceOf(EvalModelHttpError);
    expect((e as EvalModelHttpError).status).toBe(429);
    expect(String(e.message)).toMatch(/Retry-After 3600000 ms exceeds maxRetryAfterMs/);
  });

  it('times out a hanging request and retries it; gives up after maxRetries with a typed error', async () => {
    server.plan = ['hang', 'ok'];
    const m = client({ timeoutMs: 200 });
    expect(await m.generate('x')).toBe('ok');
    expect(m.stats.retries).toBe(1);
    server.plan = ['hang', 'hang', 'hang'];
    const e = await client({ timeoutMs: 150, maxRetries: 2 }).generate('y').catch((x) => x);
    expect(e).toBeInstanceOf(EvalModelRequestError);
    expect(e.message).toMatch(/request failed after 3 attempts: timed out after 150 ms/);
  });

  it('retries a connection reset (network error)', async () => {
    server.plan = ['destroy', 'ok'];
    const m = client();
    expect(await m.generate('x')).toBe('ok');
    expect(m.stats.retries).toBe(1);
  });

  it('does not retry 400/401; retries run out on repeated 5xx', async () => {
    server.plan = [{ status: 400, body: '{"error":{"message":"bad request"}}' }];
    const e = await client().generate('x').catch((x) => x);
    expect(e).toBeInstanceOf(EvalModelHttpError);
    expect(e).toMatchObject({ status: 400, attempts: 1 });
    expect(server.seen).toHaveLength(1);
    server.plan = [{ status: 502 }, { status: 502 }, { status: 502 }];
    const e2 = await client({ maxRetries: 2 }).generate('x').catch((x) => x);
    expect(e2).toMatchObject({ status: 502, attempts: 3 });
  });

  it('a reply without a completion is a typed error', async () => {
    server.plan = [{ status: 200, body: '{"choices": []}' }];
    await expect(client().generate('x')).rejects.toBeInstanceOf(EvalModelResponseError);
    server.plan = [{ status: 200, body: 'not json' }];
    await expect(client().generate('x')).rejects.toThrow(/the body is not JSON/);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    server.delayMs = 40;
    const m = client({ concurrency: 3 });
    const out = await Promise.all(Array.from({ length: 10 }, (_, i) => m.generate(`q${i}`)));
    expect(out).toHaveLength(10);
    expect(server.maxInFlight).toBe(3);
  });

  it('aborts a hanging request, a queued request and a backoff wait', async () => {
    server.plan = ['hang'];
    const ctl = new AbortController();
    const m = client();
    const p = m.generate('x', { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 50);
    await expect(p).rejects.toBeInstanceOf(EvalModelAbortError);
    server.plan = [{ status: 500 }];
    const slow = client({ backoff: { initialMs: 10_000, maxMs: 10_000 } });
    const ctl2 = new AbortController();
    const t0 = Date.now();
    const p2 = slow.generate('y', { signal: ctl2.signal });
    setTimeout(() => ctl2.abort(), 100);
    await expect(p2).rejects.toBeInstanceOf(EvalModelAbortError);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a resumable on-disk cache keyed by (model, prompt, params): a new client asks only for what is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qm-cache-'));
    dirs.push(dir);
    server.answer = (b) => `a:${(b.messages as { content: string }[])[0]!.content}:${String(b.max_tokens)}`;
    const first = client({ cache: new FileAnswerCache(dir) });
    for (const q of ['q1', 'q2']) await first.generate(q, { maxTokens: 5 });
    expect(server.seen).toHaveLength(2);
    // "killed" here; a new process with the same cache folder
    const second = client({ cache: new FileAnswerCache(dir) });
    const answers = await Promise.all(['q1', 'q2', 'q3'].map((q) => second.generate(q, { maxTokens: 5 })));
    expect(answers).toEqual(['a:q1:5', 'a:q2:5', 'a:q3:5']);
    expect(server.seen).toHaveLength(3);
    expect(second.stats.cacheHits).toBe(2);
    // other parameters or another model are other keys
    await second.generate('q1', { maxTokens: 6 });
    await client({ model: 'other', cache: new FileAnswerCache(dir) }).generate('q1', { maxTokens: 5 });
    expect(server.seen).toHaveLength(5);
    // entries are complete files, no temporary files left
    const shards = await readdir(dir);
    for (const s of shards) for (const f of await readdir(join(dir, s))) expect(f).toMatch(/^[0-9a-f]{64}\.json$/);
  });

  it('evaluates a benchmark through the endpoint with the same harness and verifier', async () => {
    const items = loadBenchmark('medqa-usmle-4', sampleText('medqa_usmle_4options.sample.jsonl'));
    server.answer = () => 'Reasoning…\n\n{"answer": "B"}';
    server.plan = [{ status: 429, retryAfter: '0' }, { status: 500 }];
    const cache = new MemoryAnswerCache();
    const model = client({ concurrency: 2, cache });
    const run = await evaluate({ items, model, concurrency: 4 });
    const goldB = items.filter((i) => i.kind === 'multiple-choice' && i.answer.join('') === 'B').length;
    expect(run.report.overall.accuracy).toBe(goldB / items.length);
    expect(run.report.modelId).toBe(model.id);
    expect(cache.size).toBe(items.length);
    expect(server.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('bad options are typed errors naming the option', () => {
    expect(() => new OpenAICompatibleModel({ baseUrl: 'localhost:8000', model: 'm' })).toThrow(/^baseUrl: must be an http\(s\) URL/);
    expect(() => new OpenAICompatibleModel({ baseUrl, model: '' })).toThrow(/^model: /);
    expect(() => new OpenAICompatibleModel({ baseUrl, model: 'm', apiKeyEnv: 'QM_UNSET_VAR', env: {} })).toThrow(EvalModelConfigError);
    expect(() => new OpenAICompatibleModel({ baseUrl, model: 'm', apiKeyEnv: 'QM_UNSET_VAR', env: {} })).toThrow(/^apiKeyEnv: the environment variable QM_UNSET_VAR is not set$/);
    expect(() => new OpenAICompatibleModel({ baseUrl, model: 'm', concurrency: 0 })).toThrow(/^concurrency: /);
    expect(() => new OpenAICompatibleModel({ baseUrl, model: 'm', maxRetries: -1 })).toThrow(/^maxRetries: /);
  });
});

describe('retry policy', () => {
  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('backs off exponentially with seeded jitter in [d/2, d], capped, at least Retry-After', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, seed: 4 });
    const d = [0, 1, 2, 3, 4, 5].map((k) => b.delay(k));
    const caps = [100, 200, 400, 800, 1000, 1000];
    d.forEach((x, k) => {
      expect(x).toBeGreaterThanOrEqual(caps[k]! / 2);
      expect(x).toBeLessThanOrEqual(caps[k]!);
    });
    const again = new Backoff({ initialMs: 100, maxMs: 1000, seed: 4 });
    expect([0, 1, 2, 3, 4, 5].map((k) => again.delay(k))).toEqual(d);
    expect(new Backoff({ initialMs: 100, seed: 4 }).delay(0, 5000)).toBe(5000);
  });
});
