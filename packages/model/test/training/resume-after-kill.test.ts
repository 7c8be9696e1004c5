/**
 * Crash safety of training: a child process trains with checkpoints every 2 steps into a FileTrainerStore and is
 * killed with SIGKILL at seeded moments (after a seeded step, plus a seeded delay that often lands inside a
 * checkpoint save); each restart resumes from the latest complete checkpoint. The final weights equal those of
 * an uninterrupted run to 1e-6, and no staging directory of a killed save is left behind.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileTrainerStore } from '../../src/node/trainer-store';
import { Mulberry32 } from '../../src/training/rng';
import { decodeTrainerState } from '../../src/training/trainer-state';
import { killResumeRun, TOTAL_STEPS } from './fixtures/kill-resume-run';
import { useCpu } from './helpers';

const CHILD = fileURLToPath(new URL('./fixtures/kill-resume-child.ts', import.meta.url));

/** Runs the child; with `killAfterStep`, SIGKILLs it `delayMs` after it reports that step. */
function runChild(storeDir: string, kill?: { afterStep: number; delayMs: number }): Promise<{ killed: boolean; lastStep: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@quarkmed/source', '--import', 'tsx', CHILD, storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let lastStep = 0;
    let armed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const m of out.matchAll(/step (\d+)\n/g)) lastStep = Math.max(lastStep, Number(m[1]));
      if (kill && !armed && lastStep >= kill.afterStep) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true, lastStep, out });
      else if (code === 0) resolve({ killed: false, lastStep, out });
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(join(tmpdir(), 'qm-kill-resume-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Trainer resume after kill -9', () => {
  it('killed 3 times at seeded moments, resumed each time: final weights equal an uninterrupted run to 1e-6', async () => {
    const { model: straight } = await killResumeRun(undefined);
    const storeDir = join(dir, 'run');
    const rng = new Mulberry32(2024);
    const kills: string[] = [];
    let progress = 0;
    for (let k = 0; k < 3; k++) {
      const afterStep = Math.min(TOTAL_STEPS - 2, progress + 1 + rng.nextInt(4));
      const delayMs = rng.nextInt(40);
      const r = await runChild(storeDir, { afterStep, delayMs });
      expect(r.killed, `run ${k} finished before the kill (${r.out})`).toBe(true);
      kills.push(`after step ${afterStep} + ${delayMs} ms (reached ${r.lastStep})`);
      const done = await new FileTrainerStore(storeDir).listCheckpoints();
      progress = done.length > 0 ? Number(done.at(-1)!.split('-')[1]) : 0;
    }
    const last = await runChild(storeDir);
    expect(last.killed).toBe(false);
    const resumedFrom = Number(/done resumed-from (\d+)/.exec(last.out)![1]);
    console.info(`kill -9 ${kills.join(', ')}; the last run resumed from step ${resumedFrom}`);
    expect(resumedFrom).toBeGreaterThan(0); // it really resumed, not retrained from scratch
    expect(resumedFrom % 2).toBe(0);
    const final = decodeTrainerState(await new FileTrainerStore(storeDir).loadState('final'), 'final').trainable;
    let worst = 0;
    for (const [name, w] of straight.weights) {
      const got = final.get(name)!.data;
      const want = w.dataSync();
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    }
    expect(worst).toBeLessThan(1e-6);
    expect((await readdir(storeDir)).filter((f) => f.startsWith('.'))).toEqual([]);
    straight.dispose();
  });
});
