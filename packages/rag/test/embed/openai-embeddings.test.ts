import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmbedderError, EmbeddingRequestError, EmbeddingResponseError, OpenAIEmbeddings, RagError } from '../../src/index';

/** A local OpenAI-compatible /v1/embeddings server whose behaviour each test scripts. */
type Handler = (body: { model: string; input: string[]; dimensions?: number }, req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
let handler: Handler;
let requests: { body: { model: string; input: string[]; dimensions?: number }; auth: string | undefined }[];

const vec = (text: string, dim: number): number[] => Array.from({ length: dim }, (_, i) => ((text.length * 31 + i * 7) % 13) / 13);
const ok: Handler = (body, _req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  // answer in reverse order: the client must sort by index
  const data = body.input.map((t, i) => ({ object: 'embedding', index: i, embedding: vec(t, 4) })).reverse();
  res.end(JSON.stringify({ object: 'list', data, model: body.model }));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      if (req.url !== '/v1/embeddings' || req.method !== 'POST') return void res.writeHead(404).end();
      const body = JSON.parse(raw) as { model: string; input: string[] };
      requests.push({ body, auth: req.headers.authorization });
      handler(body, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  requests = [];
  handler = ok;
});

const make = (o: Partial<ConstructorParameters<typeof OpenAIEmbeddings>[0]> = {}): OpenAIEmbeddings =>
  new OpenAIEmbeddings({ baseURL: base, model: 'test-embed', dimension: 4, initialBackoffMs: 5, maxBackoffMs: 20, ...o });

describe('OpenAIEmbeddings', () => {
  it('batches requests, keeps input order, sends the model, key and dimensions', async () => {
    const e = make({ batchSize: 2, apiKey: 'sk-test', sendDimensions: true });
    const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
    const out = await e.embedDocuments(texts);
    expect(requests.map((r) => r.body.input)).toEqual([['a', 'bb'], ['ccc', 'dddd'], ['eeeee']]);
    expect(requests.every((r) => r.body.model === 'test-embed' && r.body.dimensions === 4 && r.auth === 'Bearer sk-test')).toBe(true);
    out.forEach((v, i) => expect(Array.from(v)).toEqual(vec(texts[i]!, 4).map((x) => Math.fround(x))));
    expect(Array.from(await e.embedQuery('ccc'))).toEqual(Array.from(out[2]!));
  });

  it('decodes base64 embeddings', async () => {
    handler = (body, _req, res) => {
      const data = body.input.map((t, i) => ({ index: i, embedding: Buffer.from(new Float32Array(vec(t, 4)).buffer).toString('base64') }));
      res.end(JSON.stringify({ data }));
    };
    expect(Array.from(await make().embedQuery('xyz'))).toEqual(Array.from(new Float32Array(vec('xyz', 4))));
  });

  it('retries 429 (honouring Retry-After) and 5xx with backoff, then succeeds', async () => {
    let n = 0;
    handler = (body, req, res) => {
      n++;
      if (n === 1) return void res.writeHead(429, { 'retry-after': '0' }).end('slow down');
      if (n === 2) return void res.writeHead(503).end('overloaded');
      ok(body, req, res);
    };
    const out = await make({ maxRetries: 3 }).embedDocuments(['one', 'two']);
    expect(out).toHaveLength(2);
    expect(n).toBe(3);
  });

  it('gives up after maxRetries with EmbeddingRequestError (status, attempts, url)', async () => {
    handler = (_b, _r, res) => void res.writeHead(500).end('boom');
    const err = await make({ maxRetries: 2 }).embedDocuments(['x']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddingRequestError);
    expect(err).toBeInstanceOf(RagError);
    const e = err as EmbeddingRequestError;
    expect([e.status, e.attempts]).toEqual([500, 3]);
    expect(e.message).toContain(`${base}/embeddings`);
    expect(requests).toHaveLength(3);
  });

  it('does not retry other 4xx', async () => {
    handler = (_b, _r, res) => void res.writeHead(401).end('{"error":{"message":"bad key"}}');
    const err = (await make({ maxRetries: 3 }).embedDocuments(['x']).catch((e: unknown) => e)) as EmbeddingRequestError;
    expect(err).toBeInstanceOf(EmbeddingRequestError);
    expect([err.status, err.attempts]).toEqual([401, 1]);
    expect(err.message).toMatch(/bad key/);
    expect(requests).toHaveLength(1);
  });

  it('times out a hanging request (AbortSignal) and retries it', async () => {
    let n = 0;
    handler = (body, req, res) => {
      n++;
      if (n === 1) return; // never answers
      ok(body, req, res);
    };
    expect(await make({ timeoutMs: 150, maxRetries: 1 }).embedDocuments(['late'])).toHaveLength(1);
    n = 0;
    handler = () => undefined;
    const err = (await make({ timeoutMs: 100, maxRetries: 1 }).embedDocuments(['late']).catch((e: unknown) => e)) as EmbeddingRequestError;
    expect(err).toBeInstanceOf(EmbeddingRequestError);
    expect(err.message).toMatch(/no answer within 100 ms/);
    expect(err.status).toBeUndefined();
  });

  it('stops at once when the caller aborts', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const t0 = Date.now();
    const err = await make({ timeoutMs: 10_000 }).embedDocuments(['x'], { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedderError);
    expect((err as EmbedderError).field).toBe('options.signal');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('reports unreachable endpoints, malformed responses, wrong dimensions and bad input', async () => {
    const dead = new OpenAIEmbeddings({ baseURL: 'http://127.0.0.1:1/v1', model: 'm', dimension: 4, maxRetries: 1, initialBackoffMs: 1 });
    const err = (await dead.embedQuery('x').catch((e: unknown) => e)) as EmbeddingRequestError;
    expect(err).toBeInstanceOf(EmbeddingRequestError);
    expect(err.attempts).toBe(2);
    handler = (_b, _r, res) => void res.end('{"data":[{"index":0,"embedding":[1,2,3]}]}');
    await expect(make().embedQuery('x')).rejects.toThrow(/data\[0\]\.embedding: has dimension 3, expected 4/);
    handler = (_b, _r, res) => void res.end('{"data":[]}');
    await expect(make().embedQuery('x')).rejects.toThrow(EmbeddingResponseError);
    handler = (_b, _r, res) => void res.end('not json');
    await expect(make().embedQuery('x')).rejects.toThrow(/body: is not JSON/);
    await expect(make().embedDocuments(['ok', ''])).rejects.toThrow(/texts\[1\]: is empty/);
    expect(() => new OpenAIEmbeddings({ baseURL: 'localhost:8000', model: 'm', dimension: 4 })).toThrow(/options\.baseURL/);
    expect(() => new OpenAIEmbeddings({ baseURL: base, model: 'm', dimension: 0 })).toThrow(/options\.dimension/);
  });
});
