/**
 * The evaluation harness against `quarkmed serve` over loopback: the MedQA (4 options) format sample evaluated
 * through `OpenAICompatibleModel` against a real `startServer(...)` serving a tiny checkpoint (random weights, a
 * chat-templated tokenizer) equals evaluating the same checkpoint in process with `LocalModel`: identical greedy
 * predictions, prompt hashes and scores, and the same report. Also with the API key the server requires, read from
 * an environment variable as `quarkmed eval --api-key-env` does.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHATML_TEMPLATE, LlamaModel, trainBpe } from '@quarkmed/model';
import { saveCheckpoint, saveTokenizer } from '@quarkmed/model/node';
import { EvalRunError, LocalModel, OpenAICompatibleModel, evaluate, loadMedQA, type EvalRun } from '../../src/index';
import { loadLocalModel, startServer, type LocalModel as LoadedCheckpoint, type RunningServer } from '../../src/node/index';
import { sampleText } from '../eval/fixtures';
import { useCpu } from './tiny-checkpoint';

const CORPUS = new URL('../../../../data/medical-text/pubmedqa-abstracts.en.txt', import.meta.url);
const KEY = 'loopback-secret';
const MAX_TOKENS = 12;

let dir: string;
let checkpoint: LoadedCheckpoint;
let server: RunningServer;
let local: EvalRun;

const items = () => loadMedQA(sampleText('medqa_usmle_4options.sample.jsonl'), { options: 4, file: 'medqa_usmle_4options.sample.jsonl' });

beforeAll(async () => {
  await useCpu();
  const text = await readFile(CORPUS, 'utf8');
  const tokenizer = trainBpe(text.split('\n').slice(0, 40), { vocabSize: 384, specialTokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'], chatTemplate: CHATML_TEMPLATE });
  const model = new LlamaModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 64, maxSeqLen: 1024 }, { seed: 11 });
  dir = await mkdtemp(join(tmpdir(), 'qm-loopback-'));
  await saveCheckpoint(dir, model);
  await saveTokenizer(tokenizer, dir);
  model.dispose();
  // the server and the in-process model load the same folder the same way
  checkpoint = await loadLocalModel(dir);
  server = await startServer({ ...checkpoint, modelId: 'tiny-medqa', apiKey: KEY, port: 0, maxTokens: 64, maxConcurrent: 2, maxQueue: 16 });
  local = await evaluate({ items: items(), model: new LocalModel({ ...checkpoint, id: 'tiny-medqa', defaultMaxTokens: MAX_TOKENS }), params: { maxTokens: MAX_TOKENS } });
}, 120_000);

afterAll(async () => {
  await server?.close();
  checkpoint?.model.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the harness against quarkmed serve over loopback', () => {
  it('the served checkpoint gives the predictions, scores and report of the same checkpoint in process (greedy)', async () => {
    expect(checkpoint.tokenizer.chatTemplate).toBe(CHATML_TEMPLATE);
    const remote = new OpenAICompatibleModel({ baseUrl: `${server.url}/v1`, model: 'tiny-medqa', apiKeyEnv: 'QM_LOOPBACK_KEY', env: { QM_LOOPBACK_KEY: KEY }, id: 'tiny-medqa', concurrency: 3, maxRetries: 0 });
    const served = await evaluate({ items: items(), model: remote, params: { maxTokens: MAX_TOKENS }, concurrency: 3 });
    expect(served.predictions).toHaveLength(6);
    expect(remote.stats.requests).toBe(6);
    expect(remote.stats.retries).toBe(0);
    // the model really generated something (random weights: text, not necessarily an answer)
    expect(local.predictions.some((p) => p.output.length > 0)).toBe(true);
    expect(served.predictions.map((p) => p.output)).toEqual(local.predictions.map((p) => p.output));
    expect(served.predictions.map((p) => p.promptHash)).toEqual(local.predictions.map((p) => p.promptHash));
    expect(served.scores).toEqual(local.scores);
    expect(served.report).toEqual(local.report);
    expect(served.report.overall.n).toBe(6);
  }, 120_000);

  it('a key given directly works as well; a wrong key is a failed item (401), never a wrong answer', async () => {
    const ok = new OpenAICompatibleModel({ baseUrl: `${server.url}/v1`, model: 'tiny-medqa', apiKey: KEY, id: 'tiny-medqa', maxRetries: 0 });
    const first = await evaluate({ items: items(), model: ok, params: { maxTokens: MAX_TOKENS }, limit: 2 });
    expect(first.predictions.map((p) => p.output)).toEqual(local.predictions.slice(0, 2).map((p) => p.output));

    const bad = new OpenAICompatibleModel({ baseUrl: `${server.url}/v1`, model: 'tiny-medqa', apiKey: 'wrong', maxRetries: 0 });
    const err = await evaluate({ items: items(), model: bad, params: { maxTokens: MAX_TOKENS }, limit: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvalRunError);
    expect((err as Error).message).toMatch(/401/);
  }, 60_000);
});
