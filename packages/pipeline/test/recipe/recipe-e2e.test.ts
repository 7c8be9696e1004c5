/**
 * The whole recipe end to end on the tiny scale through the real CLI in a child process, then `kill -9` at several
 * points (between stages, in the middle of pre-training, during RL, during evaluation): each re-run resumes,
 * reuses the stages that had finished (checksums verified), and the final artifacts are byte-identical to those of
 * the uninterrupted run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { STAGE_NAMES } from '../../src/config/stage-names';
import type { RunManifest } from '../../src/node/run/manifest';
import { parsePredictions, rescore } from '../../src/index';

const CHILD = fileURLToPath(new URL('./recipe-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'qm-recipe-e2e-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const args = (out: string, ...extra: string[]) => ['run', '--scale', 'tiny', '--backend', 'wasm', '--json', '--out', out, ...extra];
const nodeArgs = (a: string[]) => ['--import', 'tsx', '--conditions=@quarkmed/source', CHILD, ...a];

function runCli(a: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, nodeArgs(a), { cwd: REPO, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Event = { event: string; stage?: string; step?: number };
const events = (stdout: string): Event[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Event);

/** Starts a run, SIGKILLs it as soon as `when` matches an event, and returns the events seen. */
async function killWhen(out: string, when: (e: Event) => boolean): Promise<Event[]> {
  const child = spawn(process.execPath, nodeArgs(args(out)), { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
  let buf = '';
  const seen: Event[] = [];
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let killed = false;
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      if (!l.startsWith('{')) continue;
      const e = JSON.parse(l) as Event;
      seen.push(e);
      if (!killed && when(e)) {
        killed = true;
        child.kill('SIGKILL');
      }
    }
  });
  const code = await exited;
  if (!killed) throw new Error(`the run finished (${code}) before the kill point: ${err}`);
  return seen;
}

function artifacts(out: string): Record<string, Record<string, string>> {
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as RunManifest;
  return Object.fromEntries(Object.entries(m.stages).map(([s, e]) => [s, Object.fromEntries(Object.entries(e!.files).map(([f, a]) => [f, a.sha256]))]));
}

describe('the recipe end to end (tiny scale, real CLI in a child process)', () => {
  const reference = join(root, 'reference');
  let referenceArtifacts: Record<string, Record<string, string>>;

  it('runs every stage, writes checksummed artifacts, a loadable HF checkpoint per model stage and an offline report', async () => {
    const r = runCli(args(reference));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const ev = events(r.stdout);
    expect(ev.filter((e) => e.event === 'finished').map((e) => e.stage)).toEqual([...STAGE_NAMES]);
    expect(r.stdout).toMatch(/\| knowledge translation vs none \|/);
    expect(r.stdout).toMatch(/\| hybrid verifier vs rule-only +\|/);
    referenceArtifacts = artifacts(reference);
    expect(Object.keys(referenceArtifacts)).toEqual([...STAGE_NAMES]);
    for (const s of ['pretrain', 'ift', 'sft', 'rl1', 'rl2']) expect(Object.keys(referenceArtifacts[s]!)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json']));
    expect(Object.keys(referenceArtifacts.pretrain!)).toContain('baseline/model.safetensors');
    const m = JSON.parse(readFileSync(join(reference, 'manifest.json'), 'utf8')) as RunManifest;
    expect(m.packages['@quarkmed/model']).toMatch(/^\d+\.\d+\.\d+/);
    expect(m.stages.rl1!.curves.map((c) => c.metric)).toEqual(['loss', 'reward', 'kl']);
    const ev2 = JSON.parse(readFileSync(join(reference, 'stages', 'eval', 'eval.json'), 'utf8'));
    expect(Object.keys(ev2.probes)).toEqual(['pretrain-baseline', 'pretrain', 'ift', 'sft', 'rl1', 'rl2']);
    expect(ev2.probes.pretrain.total).toBeGreaterThan(0);
    expect(ev2.rewardAccuracy.hybrid.total).toBeGreaterThan(0);
    // one evaluation path: every number comes from the harness's predictions, which rescore to the same accuracy
    expect(ev2.finalModel).toBe('rl2');
    expect(ev2.scoring).toBe('likelihood');
    for (const [label, file] of [...Object.keys(ev2.probes).map((l) => [l, `${l}.jsonl`]), ['rl2', 'rl2.retrieval.jsonl']] as [string, string][]) {
      const preds = parsePredictions(readFileSync(join(reference, 'stages', 'eval', 'predictions', file), 'utf8'), file);
      const expected = file.endsWith('.retrieval.jsonl') ? ev2.probesWithRetrieval : ev2.probes[label];
      expect(preds.length, file).toBe(expected.total);
      expect(preds.every((p) => p.benchmark === 'knowledge-probes' && p.modelId === label && (p.retrieval !== null) === file.endsWith('.retrieval.jsonl')), file).toBe(true);
      // likelihood scoring (the recipe's default): every prediction records its per-option scores and the pick
      expect(preds.every((p) => p.scoring === 'likelihood' && p.likelihood!.metric === 'acc_norm' && p.likelihood!.options.length >= 2 && p.likelihood!.options.some((o) => o.key === p.output)), file).toBe(true);
      const again = await rescore(preds);
      expect(again.report.scoring, file).toBe('likelihood');
      expect(again.report.overall.correct, file).toBe(expected.correct);
      expect(again.report.overall.ci.high, file).toBeCloseTo(expected.high, 12);
    }
    expect(ev2.verifiable.rl2.total).toBeGreaterThan(0);
    expect(ev2.verifiable.rl2.total).toBeLessThanOrEqual(ev2.probes.rl2.total);
    const html = readFileSync(join(reference, 'report.html'), 'utf8');
    expect(html).toContain('uPlot'); // the library is inlined
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // nothing to fetch: opens offline
    expect(html).toContain('knowledge translation vs none');
    // a second run recomputes nothing
    const again = runCli(args(reference));
    expect(again.status).toBe(0);
    expect(events(again.stdout).filter((e) => e.event === 'reused').map((e) => e.stage)).toEqual([...STAGE_NAMES]);
    expect(artifacts(reference)).toEqual(referenceArtifacts);
  }, 240_000);

  it('kill -9 between stages, mid pre-training, during RL and during evaluation: every re-run resumes to identical artifacts', async () => {
    const out = join(root, 'killed');
    const points: [string, (e: Event) => boolean][] = [
      ['after the tokenizer', (e) => e.event === 'finished' && e.stage === 'tokenizer'],
      ['mid pre-training', (e) => e.event === 'step' && e.stage === 'pretrain' && e.step === 3],
      ['during rl1', (e) => e.event === 'step' && e.stage === 'rl1' && e.step === 1],
      ['during eval', (e) => e.event === 'model' && e.stage === 'eval'],
    ];
    const finishedBefore: string[] = [];
    for (const [name, when] of points) {
      const seen = await killWhen(out, when);
      finishedBefore.push(...seen.filter((e) => e.event === 'finished').map((e) => e.stage!));
      // nothing torn: the manifest parses and every stage it lists verifies on the next start
      expect(existsSync(join(out, 'manifest.json')), name).toBe(true);
      const reused = seen.filter((e) => e.event === 'reused').map((e) => e.stage!);
      expect(seen.filter((e) => e.event === 'checksum-mismatch'), name).toEqual([]);
      expect(reused.every((s) => finishedBefore.includes(s)), name).toBe(true);
    }
    // the mid-stage kills resumed from trainer checkpoints
    const last = runCli(args(out));
    expect(last.status, last.stderr).toBe(0);
    const ev = events(last.stdout);
    expect(ev.filter((e) => e.event === 'reused').map((e) => e.stage)).toEqual(STAGE_NAMES.filter((s) => s !== 'eval'));
    expect(artifacts(out)).toEqual(referenceArtifacts);
    const log = readFileSync(join(out, 'events.jsonl'), 'utf8');
    expect(log).toMatch(/"event":"resumed","stage":"pretrain"/);
    expect(log).toMatch(/"event":"resumed","stage":"rl1"/);
    // no staging or temp leftovers
    const leftovers = readdirSync(join(out, 'stages')).filter((n) => n.startsWith('.'));
    expect(leftovers).toEqual([]);
  }, 400_000);

  it('`quarkmed stage eval` re-runs one stage alone; `report` rewrites the report; bad input exits 2 with one line', () => {
    const s = runCli(['stage', 'eval', '--scale', 'tiny', '--backend', 'wasm', '--json', '--out', reference]);
    expect(s.status, s.stderr).toBe(0);
    const ev = events(s.stdout);
    expect(ev.filter((e) => e.event === 'finished').map((e) => e.stage)).toEqual(['eval']);
    expect(artifacts(reference)).toEqual(referenceArtifacts);
    const rep = runCli(['report', reference, '--out', join(root, 'r.html')]);
    expect(rep.status).toBe(0);
    expect(existsSync(join(root, 'r.html'))).toBe(true);

    const bad = join(root, 'bad.yaml');
    writeFileSync(bad, 'pretrain:\n  stpes: 3\n');
    const b = runCli(['run', bad, '--out', join(root, 'never')]);
    expect(b.status).toBe(2);
    expect(b.stderr.trim().split('\n')).toEqual([`quarkmed: ${bad}: pretrain: unknown key "stpes"`]);
    expect(runCli(['run', '--frobnicate']).status).toBe(2);
    expect(runCli(['stage', 'train']).status).toBe(2);
    expect(runCli(['report', join(root, 'nothing-here')]).status).toBe(1);
    const help = runCli(['run', '--help']);
    expect(help.status).toBe(0);
    for (const o of ['--scale', '--out', '--backend', '--seed', '--json', '[config]']) expect(help.stdout).toContain(o);
    expect(runCli(['stage', '--help']).stdout).toContain('--init <dir>');
  }, 240_000);
});
