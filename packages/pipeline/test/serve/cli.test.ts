/**
 * `quarkmed serve` and `quarkmed chat` as a user runs them: the real CLI entry in a child process (usage errors exit
 * 2 with one line; a started server answers the `openai` client and exits 0 on SIGTERM; `chat --prompt` prints the
 * answer), and the interactive loop in-process (streamed answer, Ctrl-C stops the current answer, /exit).
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine, loadLocalModel, type LocalModel } from '../../src/node/index';
import { answer, interactiveChat } from '../../src/node/serve/terminal-chat';
import { tinyCheckpointDir, useCpu } from './tiny-checkpoint';

const MAIN = fileURLToPath(new URL('../../src/node/cli/bin.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

let dir: string;
let local: LocalModel;

beforeAll(async () => {
  await useCpu();
  dir = await tinyCheckpointDir();
  local = await loadLocalModel(dir);
});
afterAll(async () => {
  local?.model.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Child {
  code: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  kill: (signal: NodeJS.Signals) => void;
}

function cli(args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ['--conditions=@quarkmed/source', '--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
  return {
    code: new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve(code)))),
    stdout: () => out,
    stderr: () => err,
    kill: (s) => child.kill(s),
  };
}

describe('the quarkmed CLI', () => {
  it('exits 2 with one line for usage errors', async () => {
    const noCheckpoint = cli(['chat', '--prompt', 'hi']);
    expect(await noCheckpoint.code).toBe(2);
    expect(noCheckpoint.stderr().trim().split('\n')).toEqual(['quarkmed: option --checkpoint is required']);
    const badPort = cli(['serve', '--checkpoint', dir, '--port', '70000']);
    expect(await badPort.code).toBe(2);
    expect(badPort.stderr()).toContain('option --port must be an integer in [0, 65535]');
  });

  it('chat --prompt prints the streamed answer of the checkpoint', async () => {
    const child = cli(['chat', '--checkpoint', dir, '--backend', 'cpu', '--prompt', 'What causes fever?', '--temperature', '0', '--max-tokens', '12']);
    expect(await child.code).toBe(0);
    const expected = await answer(new LocalEngine(local.model, local.tokenizer), [{ role: 'user', content: 'What causes fever?' }], { temperature: 0, maxTokens: 12 }, () => {});
    expect(child.stdout()).toBe(`${expected.text}\n`);
  });

  it('serve answers the openai client and exits 0 on SIGTERM', async () => {
    const child = cli(['serve', '--checkpoint', dir, '--backend', 'cpu', '--port', '0', '--model-id', 'cli-model', '--api-key-env', 'TEST_QUARKMED_KEY'], { TEST_QUARKMED_KEY: 'sk-cli' });
    const deadline = Date.now() + 90_000;
    while (!/on (http:\/\/\S+)\/v1/.test(child.stdout()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const url = /on (http:\/\/\S+)\/v1/.exec(child.stdout())![1]!;
    expect(child.stdout()).toContain('(API key from $TEST_QUARKMED_KEY)');
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-cli', maxRetries: 0 });
    expect((await client.models.list()).data[0]!.id).toBe('cli-model');
    const r = await client.chat.completions.create({ model: 'cli-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    expect(r.usage!.completion_tokens).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await child.code).toBe(0);
  });
});

describe('interactive chat', () => {
  it('streams answers, stops an answer on Ctrl-C and quits on /exit', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    let interrupted = false;
    output.on('data', (d: Buffer) => {
      shown += d.toString();
      // Ctrl-C once the second answer has started streaming.
      const second = shown.split('assistant> ')[2];
      if (!interrupted && second !== undefined && second.length > 0) {
        interrupted = true;
        process.emit('SIGINT');
      }
    });
    const engine = new LocalEngine(local.model, local.tokenizer);
    const before = engine.stats.generationsAborted;
    const done = interactiveChat(engine, { maxTokens: 8, temperature: 0 }, { input, output });
    input.write('What is CRP?\n');
    while (!/assistant> [^\n]*\n/.test(shown)) await new Promise((r) => setTimeout(r, 10));
    input.write('Tell me more about inflammation markers please\n');
    while (!shown.includes('[stopped]')) await new Promise((r) => setTimeout(r, 10));
    input.write('/exit\n');
    await done;
    expect(engine.stats.generationsAborted).toBe(before + 1);
    const first = await answer(engine, [{ role: 'user', content: 'What is CRP?' }], { maxTokens: 8, temperature: 0 }, () => {});
    expect(shown).toContain(`assistant> ${first.text}`);
  });
});
