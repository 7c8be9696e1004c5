/**
 * Crash safety of GRPO training: `2K steps = K steps + kill -9 + resume + K steps`. A child process
 * (`node --import tsx`, from the repo root) trains GRPO with a `FileTrainerStore` from `@quarkmed/model/node`
 * (checkpoint every K steps), and is SIGKILLed a seeded delay after it reports step K, i.e. inside step K + 1
 * (generation, scoring or the update); a second child resumes from `checkpoint-K` (policy, optimizer, RNG, prompt
 * order and the generation buffer that spans optimizer steps) and trains to 2K. Its final weights equal an
 * uninterrupted 2K-step run in this process to 1e-6, and no staging file of the killed process is left behind.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileTrainerStore, readSafetensorsFile } from '@quarkmed/model/node';
import { mulberry32 } from '@quarkmed/model';
import { K, grpoKillRun } from './fixtures/grpo-kill-run';
import { useCpu } from './helpers';

const CHILD = fileURLToPath(new URL('./fixtures/grpo-kill-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function runChild(args: string[], kill?: { afterStep: number; delayMs: number }): Promise<{ killed: boolean; lastStep: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@quarkmed/source', '--import', 'tsx', CHILD, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
  dir = await mkdtemp(join(tmpdir(), 'qm-grpo-kill-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('GRPOTrainer resume after kill -9', () => {
  it(`2·${K} steps = ${K} steps + kill -9 + resume + ${K} steps (weights to 1e-6)`, async () => {
    const { model: straight } = await grpoKillRun(undefined, 2 * K);
    const storeDir = join(dir, 'run');
    const weightsFile = join(dir, 'final.safetensors');
    const delayMs = Math.floor(mulberry32(2025)() * 30);
    // The first child would run all 2K steps: it is killed inside step K + 1.
    const first = await runChild([storeDir, String(2 * K), weightsFile], { afterStep: K, delayMs });
    expect(first.killed, `the child finished before the kill (${first.out})`).toBe(true);
    expect(first.lastStep).toBeLessThan(2 * K);
    expect(await new FileTrainerStore(storeDir).listCheckpoints()).toEqual([`checkpoint-${K}`]);
    const second = await runChild([storeDir, String(2 * K), weightsFile]);
    expect(second.killed).toBe(false);
    expect(Number(/done resumed-from (\d+)/.exec(second.out)![1])).toBe(K); // it resumed, not retrained
    expect(second.out).not.toMatch(new RegExp(`step ${K}\\n`)); // the steps before the kill were not rerun
    const { tensors } = await readSafetensorsFile(weightsFile);
    let worst = 0;
    let moved = 0;
    for (const [name, w] of straight.weights) {
      const got = tensors.get(name)!.data as Float32Array;
      const want = w.dataSync();
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      moved += want.length;
    }
    expect(moved).toBeGreaterThan(0);
    console.info(`kill -9 ${delayMs} ms after step ${K} (reached ${first.lastStep}); resumed at ${K}; max |Δw| ${worst}`);
    expect(worst).toBeLessThan(1e-6);
    expect((await readdir(storeDir)).filter((f) => f.startsWith('.'))).toEqual([]);
    straight.dispose();
  }, 120_000);
});
