import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  RemoteJudge,
  RemoteJudgeHttpError,
  RemoteJudgeParseError,
  RemoteJudgeTimeoutError,
  parseJudgeVerdict,
} from '../../src/judges/index';

// A local imitation of an OpenAI-compatible server. The candidate answer picks the behaviour.
let server: Server;
let baseUrl: string;
const seen: { auth?: string; body: any }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
        res.writeHead(404).end('not found');
        return;
      }
      const body = JSON.parse(raw);
      seen.push({ auth: req.headers.authorization, body });
      const user: string = body.messages[1].content;
      const answer = /Candidate answer:\n(.*)/.exec(user)![1]!;
      const reply = (content: string): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content } }] }));
      };
      if (answer === 'slow') setTimeout(() => reply('{"verdict": "correct"}'), 1500);
      else if (answer === 'http500') res.writeHead(500).end('boom');
      else if (answer === 'notjson') res.writeHead(200).end('<html>');
      else if (answer === 'nochoices') reply(undefined as unknown as string);
      else if (answer === 'noverdict') reply('I cannot decide.');
      else if (answer === 'heart attack') reply('<think>Heart attack is a synonym; not incorrect.</think>```json\n{"verdict": "correct", "reason": "synonym"}\n```');
      else reply('Verdict: incorrect');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('RemoteJudge', () => {
  it('sends question, reference and answer, parses the verdict and caches by inputs', async () => {
    const j = new RemoteJudge({ baseUrl, model: 'judge-1', apiKey: 'k' });
    const r = await j.judge({ question: 'What is the diagnosis?', reference: 'myocardial infarction', answer: 'heart attack' });
    expect(r).toMatchObject({ verdict: 'correct', reward: 1, cached: false });
    const last = seen[seen.length - 1]!;
    expect(last.auth).toBe('Bearer k');
    expect(last.body.model).toBe('judge-1');
    expect(last.body.messages[1].content).toContain('Question:\nWhat is the diagnosis?');
    expect(last.body.messages[1].content).toContain('Reference answer:\nmyocardial infarction');
    const again = await j.judge({ question: 'What is the diagnosis?', reference: 'myocardial infarction', answer: 'heart attack' });
    expect(again.cached).toBe(true);
    expect(j.requests).toBe(1);
    const other = await j.judge({ question: 'What is the diagnosis?', reference: 'myocardial infarction', answer: 'asthma' });
    expect(other).toMatchObject({ verdict: 'incorrect', reward: 0, cached: false });
    expect(j.requests).toBe(2);
    const v = await j.verify('asthma', 'myocardial infarction');
    expect(v).toMatchObject({ verdict: 'incorrect', source: 'model' });
  });

  it('times out slow replies with a typed error', async () => {
    const j = new RemoteJudge({ baseUrl, model: 'm', timeoutMs: 200 });
    const t0 = Date.now();
    await expect(j.judge({ reference: 'x', answer: 'slow' })).rejects.toBeInstanceOf(RemoteJudgeTimeoutError);
    expect(Date.now() - t0).toBeLessThan(1200);
    const ctrl = new AbortController();
    const p = new RemoteJudge({ baseUrl, model: 'm' }).judge({ reference: 'x', answer: 'slow' }, ctrl.signal);
    ctrl.abort();
    await expect(p).rejects.toThrow(/aborted by the caller/);
  });

  it('reports HTTP errors and malformed replies with typed errors', async () => {
    const j = new RemoteJudge({ baseUrl, model: 'm' });
    await expect(j.judge({ reference: 'x', answer: 'http500' })).rejects.toMatchObject({ name: 'RemoteJudgeHttpError', status: 500 });
    await expect(j.judge({ reference: 'x', answer: 'http500' })).rejects.toBeInstanceOf(RemoteJudgeHttpError);
    await expect(j.judge({ reference: 'x', answer: 'notjson' })).rejects.toThrow(/body is not JSON/);
    await expect(j.judge({ reference: 'x', answer: 'nochoices' })).rejects.toThrow(/no choices\[0\].message.content/);
    await expect(j.judge({ reference: 'x', answer: 'noverdict' })).rejects.toBeInstanceOf(RemoteJudgeParseError);
    await expect(new RemoteJudge({ baseUrl: 'http://127.0.0.1:1', model: 'm' }).judge({ reference: 'x', answer: 'y' })).rejects.toThrow(/failed/);
    expect(() => new RemoteJudge({ baseUrl: '', model: 'm' })).toThrow(/options.baseUrl/);
    expect(() => new RemoteJudge({ baseUrl, model: 'm', timeoutMs: 0 })).toThrow(/options.timeoutMs/);
  });
});

describe('parseJudgeVerdict', () => {
  it.each([
    ['{"verdict": "partial"}', 'partial'],
    ['reasoning... {"verdict":"INCORRECT","reason":"no"}', 'incorrect'],
    ['CORRECT', 'correct'],
    ['The answer is not correct.', 'incorrect'],
    ['<think>correct?</think> wrong', 'incorrect'],
    ['结论：正确', 'correct'],
    ['结论：部分正确', 'partial'],
  ])('%j → %s', (reply, verdict) => {
    expect(parseJudgeVerdict(reply)).toBe(verdict);
  });
  it('throws on replies without a verdict', () => {
    expect(() => parseJudgeVerdict('hmm')).toThrow(RemoteJudgeParseError);
  });
});
