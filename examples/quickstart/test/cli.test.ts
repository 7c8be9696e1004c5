import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError, parseQuickstartArgs } from '../src/cli';

const tmp = mkdtempSync(join(tmpdir(), 'qm-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const root = resolve(__dirname, '../../..');

describe('quickstart arguments are validated before any work', () => {
  it('accepts the defaults and a fresh output directory (created, probe removed)', () => {
    const out = join(tmp, 'fresh', 'nested');
    const a = parseQuickstartArgs(['--out', out, '--seed', '7', '--steps', '3', '--backend', 'cpu']);
    expect(a).toEqual({ job: 'recipe', backend: 'cpu', steps: 3, seed: 7, out });
    expect(parseQuickstartArgs(['--job', 'medical-lm', '--out', out])).toMatchObject({ job: 'medical-lm' });
    expect(readdirSync(out)).toEqual([]);
  });

  it.each([
    [['--seed', 'xyz'], /--seed must be an integer in \[0, 4294967295\], got 'xyz'/],
    [['--seed', '1.5'], /--seed must be an integer/],
    [['--seed=-1'], /--seed must be an integer/],
    [['--seed', '-1'], /Option '--seed' argument is ambiguous/],
    [['--steps', '1'], /--steps must be an integer in \[2, /],
    [['--steps', '10abc'], /--steps must be an integer/],
    [['--backend', 'tpu'], /--backend must be one of auto, cpu, wasm, native, webgpu, tensorflow, got 'tpu'/],
    [['--job', 'train'], /--job must be one of recipe, medical-lm, fused-block, got 'train'/],
    [['--scale', 'huge'], /--scale must be one of tiny, quickstart, small, base, got 'huge'/],
    [['--config', '/nonexistent/recipe.yaml'], /--config \/nonexistent\/recipe.yaml: cannot read \(ENOENT\)/],
    [['--job', 'fused-block', '--scale', 'tiny'], /--config and --scale apply to --job recipe, not fused-block/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['extra'], /positional argument/],
    [['--out', ''], /--out must not be empty/],
  ])('%j is a UsageError', (argv, message) => {
    expect(() => parseQuickstartArgs(argv)).toThrow(UsageError);
    expect(() => parseQuickstartArgs(argv)).toThrow(message);
  });

  it('refuses an output path that is a file, and one that cannot be created', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    expect(() => parseQuickstartArgs(['--out', file])).toThrow(/--out .*a-file: exists and is not a directory/);
    expect(() => parseQuickstartArgs(['--out', '/proc/x'])).toThrow(/--out \/proc\/x: not a writable directory/);
    expect(() => parseQuickstartArgs(['--out', join(file, 'sub')])).toThrow(/not a writable directory/);
  });

  it('accepts a readable --config and a --scale for the recipe', () => {
    const cfg = join(tmp, 'recipe.yaml');
    writeFileSync(cfg, 'seed: 3\n');
    expect(parseQuickstartArgs(['--config', cfg, '--scale', 'tiny', '--out', join(tmp, 'r')])).toMatchObject({ job: 'recipe', config: cfg, scale: 'tiny' });
    expect(() => parseQuickstartArgs(['--config', tmp])).toThrow(/--config .*: not a file/);
  });

  it('the command prints one line plus usage and exits 2, without starting a backend', () => {
    const out = join(tmp, 'never');
    const r = spawnSync(join(root, 'node_modules/.bin/tsx'), ['--conditions=@quarkmed/source', 'examples/quickstart/main.ts', '--seed', 'xyz', '--out', out], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      "quickstart: --seed must be an integer in [0, 4294967295], got 'xyz'",
      expect.stringMatching(/^usage: pnpm quickstart /),
    ]);
    expect(existsSync(out)).toBe(false);
  });
});
