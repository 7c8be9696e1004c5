import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EvalDataError } from '../../src/index';
import { registerEvalCommand } from '../../src/node/index';
import { CliUsageError } from '../../src/node/cli/usage-error';
import { FakeOpenAIServer } from '../models/fake-openai-server';
import { sampleLines, samplePath } from './fixtures';

let server: FakeOpenAIServer;
let baseUrl: string;
let dir: string;
let out: string[];

beforeEach(async () => {
  server = new FakeOpenAIServer();
  baseUrl = await server.start();
  dir = await mkdtemp(join(tmpdir(), 'qm-cli-'));
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<void> {
  const program = new Command('quarkmed').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerEvalCommand(program);
  for (const c of program.commands) c.exitOverride();
  await program.parseAsync(['eval', ...args], { from: 'user' });
}

describe('quarkmed eval', () => {
  it('evaluates an endpoint, prints the table with CIs, writes predictions that --rescore scores identically', async () => {
    server.answer = () => '{"answer": "B"}';
    const o = join(dir, 'run');
    await run('medqa-usmle-4', samplePath('medqa_usmle_4options.sample.jsonl'), '--base-url', baseUrl, '--model-name', 'm', '--out', o, '--concurrency', '2');
    const table = out.join('');
    // 3 of the 6 sample questions have gold B: 50% [18.8%, 81.2%] (Wilson)
    expect(table).toMatch(/medqa-usmle-4\s+no\s+\(all\)\s+6\s+50\.0%\s+\[18\.8%, 81\.2%\]/);
    expect(table).toMatch(/step1\s+3\s+/);
    const report = JSON.parse(await readFile(join(o, 'report.json'), 'utf8'));
    expect(report[0].overall).toMatchObject({ n: 6, correct: 3 });
    const requests = server.seen.length;
    expect(requests).toBe(6);
    out.length = 0;
    await run('--rescore', join(o, 'predictions.jsonl'), '--json');
    expect(JSON.parse(out.join(''))).toEqual(report);
    // a rerun into the same folder generates nothing
    await run('medqa-usmle-4', samplePath('medqa_usmle_4options.sample.jsonl'), '--base-url', baseUrl, '--model-name', 'm', '--out', o);
    expect(server.seen.length).toBe(requests);
  });

  it('with --retrieval and --compare reports both runs', async () => {
    const items = sampleLines('medqa_usmle_4options.sample.jsonl');
    const corpus = join(dir, 'corpus.jsonl');
    await writeFile(corpus, items.map((r, i) => JSON.stringify({ text: `Fact ${i}: ${String(r.question).slice(0, 80)} ${String(r.answer)}`, metadata: { source: 'test' } })).join('\n'));
    server.answer = (b) => ((b.messages as { content: string }[])[0]!.content.includes('[1] Fact') ? '{"answer": "B"}' : '{"answer": "A"}');
    await run('medqa-usmle-4', samplePath('medqa_usmle_4options.sample.jsonl'), '--base-url', baseUrl, '--model-name', 'm', '--retrieval', corpus, '--retrieval-k', '2', '--compare', '--limit', '4');
    const table = out.join('');
    expect(table).toMatch(/medqa-usmle-4\s+no\s+\(all\)\s+4\s+0\.0%/);
    expect(table).toMatch(/medqa-usmle-4\s+yes\s+\(all\)\s+4\s+50\.0%/);
  });

  it('usage errors are CliUsageError (exit 2); bad files are job failures (exit 1)', async () => {
    const f = samplePath('medqa_usmle_4options.sample.jsonl');
    await expect(run('medqa-usmle-4', f)).rejects.toThrow(CliUsageError);
    await expect(run('medqa-usmle-4', f)).rejects.toThrow(/--model\/--base-url: give exactly one/);
    await expect(run('medqa', f, '--base-url', baseUrl, '--model-name', 'm')).rejects.toThrow(/benchmark: unknown benchmark "medqa"/);
    await expect(run('medqa-usmle-4', f, '--base-url', baseUrl)).rejects.toThrow(/--model-name: is required/);
    await expect(run('medqa-usmle-4', f, '--base-url', 'ftp://x', '--model-name', 'm')).rejects.toThrow(CliUsageError);
    await expect(run('medqa-usmle-4', f, '--base-url', baseUrl, '--model-name', 'm', '--compare')).rejects.toThrow(/--compare: needs --retrieval/);
    await expect(run('medqa-usmle-4', f, '--base-url', baseUrl, '--model-name', 'm', '--mode', 'fuzzy')).rejects.toThrow(/--mode: must be exact or partial/);
    await expect(run('medqa-usmle-4', f, '--limit', '0')).rejects.toBeInstanceOf(CommanderError);
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, '{"question": "q", "options": {"A": "a", "B": "b", "C": "c", "D": "d"}, "answer_idx": "B"}\n{"question": "q2"}\n');
    await expect(run('medqa-usmle-4', bad, '--base-url', baseUrl, '--model-name', 'm')).rejects.toThrow(EvalDataError);
    await expect(run('medqa-usmle-4', bad, '--base-url', baseUrl, '--model-name', 'm')).rejects.toThrow(/bad\.jsonl:2: field "options": missing options/);
    expect(server.seen).toHaveLength(0);
  });
});
