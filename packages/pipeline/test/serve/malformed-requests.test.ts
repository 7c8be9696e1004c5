/**
 * Every class of malformed request gets a 4xx JSON body in OpenAI's error shape, over real HTTP on loopback: bad
 * JSON, wrong types, out-of-range values, missing and unknown fields, unsupported roles and parts, unknown models and
 * routes, limits (max_tokens, n, context, body size), and the `openai` client's typed errors for them.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/index';
import { tinyModel, useCpu } from './tiny-checkpoint';

let server: RunningServer;
let dispose: () => void;
const MODEL = 'tiny-med';
const BODY_LIMIT = 16 * 1024;

beforeAll(async () => {
  await useCpu();
  const { model, tokenizer } = await tinyModel();
  dispose = () => model.dispose();
  server = await startServer({ model, tokenizer, modelId: MODEL, port: 0, maxTokens: 64, maxChoices: 2, maxBodyBytes: BODY_LIMIT });
});

afterAll(async () => {
  await server?.close();
  dispose?.();
});

async function post(path: string, body: string | object, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

function openAIError(param: string | null, code: string | null) {
  return { error: { message: expect.any(String), type: 'invalid_request_error', param, code } };
}

const chat = (extra: Record<string, unknown>) => ({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2, ...extra });

describe('malformed requests → 4xx in OpenAI error shape', () => {
  const cases: [string, string, string | object, number, string | null, string | null][] = [
    ['invalid JSON', '/v1/chat/completions', '{"model": ', 400, null, 'invalid_json'],
    ['empty body', '/v1/chat/completions', '', 400, null, 'invalid_body'],
    ['a JSON array', '/v1/chat/completions', '[1, 2]', 400, null, 'invalid_body'],
    ['missing messages', '/v1/chat/completions', { model: MODEL }, 400, 'messages', 'missing_required_parameter'],
    ['missing model', '/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }] }, 400, 'model', 'missing_required_parameter'],
    ['empty messages', '/v1/chat/completions', chat({ messages: [] }), 400, 'messages', 'invalid_value'],
    ['wrong type', '/v1/chat/completions', chat({ temperature: 'hot' }), 400, 'temperature', 'invalid_value'],
    ['temperature out of range', '/v1/chat/completions', chat({ temperature: 2.5 }), 400, 'temperature', 'invalid_value'],
    ['top_p of 0', '/v1/chat/completions', chat({ top_p: 0 }), 400, 'top_p', 'invalid_value'],
    ['fractional max_tokens', '/v1/chat/completions', chat({ max_tokens: 1.5 }), 400, 'max_tokens', 'invalid_value'],
    ['negative seed', '/v1/chat/completions', chat({ seed: -1 }), 400, 'seed', 'invalid_value'],
    ['n of 0', '/v1/chat/completions', chat({ n: 0 }), 400, 'n', 'invalid_value'],
    ['five stop sequences', '/v1/chat/completions', chat({ stop: ['a', 'b', 'c', 'd', 'e'] }), 400, 'stop', 'invalid_value'],
    ['unknown field', '/v1/chat/completions', chat({ tools: [] }), 400, 'tools', 'unrecognized_argument'],
    ['tool role', '/v1/chat/completions', chat({ messages: [{ role: 'tool', content: 'x', tool_call_id: '1' }] }), 400, 'messages[0].role', 'invalid_value'],
    ['image part', '/v1/chat/completions', chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }), 400, 'messages[0].content', 'invalid_value'],
    ['non-zero presence penalty', '/v1/chat/completions', chat({ presence_penalty: 0.5 }), 400, 'presence_penalty', 'invalid_value'],
    ['logprobs', '/v1/chat/completions', chat({ logprobs: true }), 400, 'logprobs', 'invalid_value'],
    ['json response format', '/v1/chat/completions', chat({ response_format: { type: 'json_object' } }), 400, 'response_format.type', 'invalid_value'],
    ['max_tokens over the cap', '/v1/chat/completions', chat({ max_tokens: 65 }), 400, 'max_tokens', 'invalid_value'],
    ['n over the cap', '/v1/chat/completions', chat({ n: 3 }), 400, 'n', 'invalid_value'],
    ['retrieval without a store', '/v1/chat/completions', chat({ retrieval: true }), 400, 'retrieval', 'invalid_value'],
    ['prompt beyond the context', '/v1/chat/completions', chat({ messages: [{ role: 'user', content: 'fever '.repeat(600) }] }), 400, 'messages', 'context_length_exceeded'],
    ['unknown model', '/v1/chat/completions', chat({ model: 'gpt-4o' }), 404, 'model', 'model_not_found'],
    ['completion without prompt', '/v1/completions', { model: MODEL }, 400, 'prompt', 'missing_required_parameter'],
    ['token id outside the vocabulary', '/v1/completions', { model: MODEL, prompt: [1, 2, 99999] }, 400, 'prompt[2]', 'invalid_value'],
    ['empty prompt', '/v1/completions', { model: MODEL, prompt: '' }, 400, 'prompt', 'invalid_value'],
    ['echo', '/v1/completions', { model: MODEL, prompt: 'x', echo: true }, 400, 'echo', 'invalid_value'],
    ['unknown route', '/v1/embeddings', { model: MODEL, input: 'x' }, 404, null, 'unknown_url'],
  ];
  it.each(cases)('%s', async (_name, path, body, status, param, code) => {
    const before = server.stats.tokensGenerated;
    const r = await post(path, body);
    expect(r.status).toBe(status);
    expect(r.json).toEqual(openAIError(param, code));
    expect(server.stats.tokensGenerated).toBe(before);
  });

  it('a GET on a POST route is a 404 JSON error', async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(openAIError(null, 'unknown_url'));
  });

  it('the openai client surfaces them as typed errors with param and code', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const err = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).param).toBe('max_tokens');
    const missing = await client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');
  });
});

describe('body size limit', () => {
  it('refuses a body over the limit with 413, by Content-Length and when streamed without one', async () => {
    const big = JSON.stringify(chat({ messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT) }] }));
    const r = await post('/v1/chat/completions', big);
    expect(r.status).toBe(413);
    expect(r.json).toEqual(openAIError(null, 'request_too_large'));
    const bytes = new TextEncoder().encode(big);
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 4096) c.enqueue(bytes.slice(i, i + 4096));
        c.close();
      },
    });
    const res = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunked, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(openAIError(null, 'request_too_large'));
    // Just under the limit is fine.
    const ok = await post('/v1/chat/completions', chat({ messages: [{ role: 'user', content: 'fever' }] }));
    expect(ok.status).toBe(200);
  });
});
