/**
 * A bounded load test over loopback with the `openai` client: 200 requests (chat and completions, whole and
 * streamed) from 8 concurrent workers, no errors, no leaked tensors, and a flat heap (delta after GC under 8 MB
 * between a warm-up round and the end).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs-core';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/index';
import { tinyModel, useCpu } from './tiny-checkpoint';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let server: RunningServer;
let dispose: () => void;
const MODEL = 'tiny-med';

beforeAll(async () => {
  await useCpu();
  const { model, tokenizer } = await tinyModel();
  dispose = () => model.dispose();
  server = await startServer({ model, tokenizer, modelId: MODEL, port: 0, maxConcurrent: 4, maxQueue: 16 });
});

afterAll(async () => {
  await server?.close();
  dispose?.();
});

async function one(client: OpenAI, i: number): Promise<number> {
  const kind = i % 4;
  if (kind === 0) {
    const r = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: `Patient ${i} has fever.` }], max_tokens: 4, seed: i });
    return r.usage!.completion_tokens;
  }
  if (kind === 1) {
    const r = await client.completions.create({ model: MODEL, prompt: `Case ${i}: chest pain`, max_tokens: 4, seed: i });
    return r.usage!.completion_tokens;
  }
  if (kind === 2) {
    const s = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: `Case ${i}` }], max_tokens: 4, seed: i, stream: true, stream_options: { include_usage: true } });
    let n = 0;
    for await (const c of s) if (c.usage) n = c.usage.completion_tokens;
    return n;
  }
  const s = await client.completions.create({ model: MODEL, prompt: `Note ${i}`, max_tokens: 4, seed: i, stream: true, stream_options: { include_usage: true } });
  let n = 0;
  for await (const c of s) if (c.usage) n = c.usage.completion_tokens;
  return n;
}

async function round(client: OpenAI, total: number, concurrency: number): Promise<{ ok: number; errors: unknown[] }> {
  let next = 0;
  let ok = 0;
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        try {
          const tokens = await one(client, i);
          if (tokens >= 1 && tokens <= 4) ok += 1;
          else errors.push(new Error(`request ${i}: ${tokens} completion tokens`));
        } catch (error) {
          errors.push(error);
        }
      }
    }),
  );
  return { ok, errors };
}

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

it('serves 200 requests at concurrency 8 with no errors and flat memory', async () => {
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0, timeout: 60_000 });
  const warm = await round(client, 24, 8);
  expect(warm.errors).toEqual([]);
  const tensors = tf.memory().numTensors;
  const heap0 = heapAfterGc();
  const started = Date.now();
  const load = await round(client, 200, 8);
  const seconds = (Date.now() - started) / 1000;
  expect(load.errors).toEqual([]);
  expect(load.ok).toBe(200);
  expect(tf.memory().numTensors).toBe(tensors); // every KV cache and logits tensor was disposed
  const delta = heapAfterGc() - heap0;
  console.info(`load: 200 requests in ${seconds.toFixed(1)} s, heap delta after GC ${(delta / 1e6).toFixed(2)} MB`);
  expect(delta).toBeLessThan(8e6);
  expect(server.stats.activeGenerations).toBe(0);
  expect(server.load()).toEqual({ running: 0, waiting: 0 });
});
