/**
 * The GPU example on WebGPU through Dawn: the tiny scale with ci.yaml (every stage, corpus to eval), on whatever adapter this machine
 * has (Mesa llvmpipe in CI, opted in as the example requires). Skipped, with the reason, when no WebGPU adapter
 * starts at all, or when QUARKMED_SKIP_WEBGPU=1 (as the tensor-kernels tests do).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGE_NAMES } from '@quarkmed/pipeline';
import { readManifest } from '@quarkmed/pipeline/node';
import { WebGPUUnavailableError, startGpuBackend } from '../src/gpu-backend';
import { runGpuExample, type RunGpuExampleResult } from '../src/run-gpu-example';

const SKIP = process.env.QUARKMED_SKIP_WEBGPU === '1';
const dir = mkdtempSync(join(tmpdir(), 'qm-node-gpu-'));
let withoutOptIn: { ok: true; hardware: boolean } | { ok: false; error: unknown };
let unavailable: string | undefined;
let run: RunGpuExampleResult | undefined;

beforeAll(async () => {
  if (SKIP) return;
  // first without the opt-in (before any backend is started in this process)
  withoutOptIn = await startGpuBackend('webgpu', { allowSoftwareAdapter: false }).then(
    (g) => ({ ok: true as const, hardware: g.hardware }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  try {
    run = await runGpuExample({ backend: 'webgpu', allowSoftwareAdapter: true, scale: 'tiny', config: resolve(__dirname, '../ci.yaml'), out: join(dir, 'run'), silent: true });
  } catch (e) {
    if (!(e instanceof WebGPUUnavailableError)) throw e;
    unavailable = e.message;
  }
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(SKIP)('node-gpu example on WebGPU (Dawn)', () => {
  it('uses a software adapter only with the opt-in', (ctx) => {
    if (unavailable) ctx.skip(`no WebGPU adapter: ${unavailable}`);
    if (withoutOptIn.ok) {
      expect(withoutOptIn.hardware).toBe(true); // a hardware GPU starts without the opt-in
    } else {
      expect(withoutOptIn.error).toBeInstanceOf(WebGPUUnavailableError);
      expect((withoutOptIn.error as Error).message).toMatch(/--allow-software-adapter/);
      expect(run!.gpu.hardware).toBe(false);
    }
  });

  it('runs every stage of the tiny recipe (ci.yaml) on webgpu and writes the report', async (ctx) => {
    if (unavailable) ctx.skip(`no WebGPU adapter: ${unavailable}`);
    const r = run!;
    expect(tf.getBackend()).toBe('webgpu');
    expect(r.gpu.choice.name).toBe('webgpu');
    const ran = [...STAGE_NAMES]; // ci.yaml skips nothing
    expect(Object.keys(r.run.seconds).sort()).toEqual([...ran].sort());
    const m = await readManifest(r.run.runDir);
    expect(m!.config.backend).toBe('webgpu');
    expect(m!.config.pretrain.steps).toBe(2); // ci.yaml over the tiny scale
    expect(m!.config.model.hiddenSize).toBe(32);
    expect(Object.keys(m!.stages).sort()).toEqual([...ran].sort());
    const pretrainLoss = m!.stages.pretrain!.curves.find((c) => c.metric === 'loss')!.points;
    expect(pretrainLoss.length).toBeGreaterThan(0);
    for (const [, y] of pretrainLoss) expect(Number.isFinite(y)).toBe(true);
    const html = readFileSync(r.run.report, 'utf8');
    expect(html).toContain('uPlot');
    for (const n of ran) expect(html).toContain(`<td>${n}</td>`);
  });
});
