/**
 * The CPU example end to end on the recipe's tiny scale: the run directory (manifest with every stage, checksums
 * that verify, a checkpoint per model stage), the report, the effects table, a resumed re-run, the command line.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_STAGES, STAGE_NAMES } from '@quarkmed/pipeline';
import { readManifest, verifyStage } from '@quarkmed/pipeline/node';
import { ExampleUsageError, exampleConfig, parseCommonArgs, runExample, type RunExampleResult } from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'qm-node-cpu-'));
const out = join(dir, 'run');
let first: RunExampleResult;

beforeAll(async () => {
  first = await runExample({ out, scale: 'tiny', backend: 'wasm', seed: 7, silent: true });
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('node-cpu example, tiny scale', () => {
  it('runs every stage and writes a verifiable run directory', async () => {
    expect(first.backend).toBe('wasm');
    expect(Object.keys(first.seconds).sort()).toEqual([...STAGE_NAMES].sort());
    const manifest = await readManifest(out);
    expect(manifest?.seed).toBe(7);
    expect(manifest?.config.backend).toBe('wasm');
    for (const name of STAGE_NAMES) {
      const entry = manifest!.stages[name]!;
      expect(entry, name).toBeDefined();
      expect((await verifyStage(join(out, 'stages', name), entry)).ok, name).toBe(true);
    }
    for (const name of MODEL_STAGES) {
      for (const f of ['config.json', 'model.safetensors', 'tokenizer.json']) expect(existsSync(join(out, 'stages', name, f)), `${name}/${f}`).toBe(true);
    }
  });

  it('writes the self-contained report and the effects with ordered intervals', () => {
    const html = readFileSync(first.report, 'utf8');
    expect(first.report).toBe(join(out, 'report.html'));
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(first.effects.map((e) => e.name)).toEqual(['knowledge translation vs none', 'RL vs SFT', 'hybrid verifier vs rule-only', 'retrieval vs none']);
    for (const e of first.effects) {
      for (const a of [e.baseline, e.treatment]) {
        expect(a.value).toBeGreaterThanOrEqual(0);
        expect(a.value).toBeLessThanOrEqual(1);
        expect(a.low).toBeLessThanOrEqual(a.value);
        expect(a.value).toBeLessThanOrEqual(a.high);
      }
      expect(html).toContain(e.name);
    }
    expect(first.table.split('\n')).toHaveLength(2 + first.effects.length);
  });

  it('resumes: a re-run with the same config reuses every stage', async () => {
    const again = await runExample({ out, scale: 'tiny', backend: 'wasm', seed: 7, silent: true });
    expect(again.seconds).toEqual({});
    expect(again.table).toBe(first.table);
  });
});

describe('node-cpu configuration and command line', () => {
  it('applies a config file under the scale, and the command line over it', async () => {
    const file = join(dir, 'recipe.yaml');
    writeFileSync(file, 'seed: 99\npretrain: { steps: 3 }\n');
    const c = await exampleConfig({ scale: 'tiny', config: file });
    expect(c.seed).toBe(99);
    expect(c.pretrain.steps).toBe(3);
    expect(c.model.hiddenSize).toBe(32); // tiny
    expect((await exampleConfig({ scale: 'tiny', config: file, seed: 5, backend: 'cpu' })).seed).toBe(5);
    writeFileSync(file, 'pretrain: { stpes: 3 }\n');
    await expect(exampleConfig({ scale: 'tiny', config: file })).rejects.toThrow(/recipe\.yaml: pretrain: unknown key "stpes"/);
  });

  it('rejects bad options with the option named', () => {
    const spec = { backends: ['auto', 'native', 'wasm', 'cpu'] as const, defaultOut: 'runs/x' };
    expect(parseCommonArgs(['--', '--scale', 'tiny', '--seed', '3'], spec)).toMatchObject({ scale: 'tiny', seed: 3, out: resolve('runs/x') });
    const bad: [string[], RegExp][] = [
      [['--scale', 'huge'], /--scale: must be one of tiny, quickstart, small, base/],
      [['--backend', 'webgpu'], /--backend: must be one of auto, native, wasm, cpu/],
      [['--seed', '-1'], /--seed/],
      [['--config', join(dir, 'missing.yaml')], /--config: .*missing\.yaml: cannot read \(ENOENT\)/],
      [['--config', dir], /--config: .*not a file/],
      [['--out', ' '], /--out: must not be empty/],
      [['--bogus'], /arguments: Unknown option '--bogus'/],
    ];
    for (const [argv, message] of bad) {
      expect(() => parseCommonArgs(argv, spec), argv.join(' ')).toThrow(ExampleUsageError);
      expect(() => parseCommonArgs(argv, spec), argv.join(' ')).toThrow(message);
    }
  });

  it('main.ts exits 2 with one line and the usage for a bad option', async () => {
    const main = resolve(__dirname, '../main.ts');
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=@quarkmed/source', main, '--backend', 'tensorflow'], { cwd: resolve(__dirname, '..') }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^node-cpu: --backend: must be one of auto, native, wasm, cpu, got 'tensorflow' \(GPU backends: pnpm example:node-gpu\)\nusage: /);
  });
});
