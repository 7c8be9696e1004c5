/**
 * The GRPO and DPO trainers in a browser: bundles `page.ts` (the package's sources with the model, verifier and
 * tensor-kernels sources; Node built-ins from other packages stubbed, none allowed from this package) with esbuild,
 * serves it on 127.0.0.1 and opens it in headless Chromium (Debian's /usr/bin/chromium, or QUARKMED_CHROMIUM),
 * once on wasm and once on webgpu (`--enable-unsafe-webgpu`; SwiftShader, a software adapter, on a machine without a
 * GPU). The page trains a tiny Llama for 3 GRPO steps with a deterministic reward and the multiple-choice verifier,
 * then 2 DPO steps.
 *
 * Skipped when no Chromium is found, unless QUARKMED_REQUIRE_BROWSER=1 (then a missing browser fails);
 * QUARKMED_SKIP_WEBGPU=1 skips the webgpu case.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from './scenario';
import type { SyncReadCounts } from '../helpers/gpu-sync-reads';
import { browserSuiteTitle, browserTestMode, bundlePage, launchChromium, readPageResult, servePage, type PageServer } from '../../../../test-support/browser';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const MODE = browserTestMode();
const WEBGPU_MODE = browserTestMode({ webgpu: true });

type PageResult = ScenarioResult & { error?: string; choice?: { name: string; adapter?: { software: boolean } }; syncReads?: SyncReadCounts; seconds: number };

describe.runIf(MODE.run)(browserSuiteTitle('GRPO and DPO trainers in headless Chromium', MODE), () => {
  let server: PageServer;
  let browser: Browser;

  beforeAll(async () => {
    // Other packages' sources may import Node built-ins behind runtime checks: stubbed; this package's sources must import none.
    const js = await bundlePage(fileURLToPath(new URL('./page.ts', import.meta.url)), { forbidNodeBuiltinsUnder: SRC });
    const wasmDist = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    server = await servePage(js, {
      title: 'grpo trainers',
      headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' },
      files: (p) => {
        const wasm = /\/(tfjs-backend-wasm[a-z-]*\.wasm)$/.exec(p);
        return wasm ? { file: path.join(wasmDist, wasm[1]!), contentType: 'application/wasm' } : undefined;
      },
    });
    browser = await launchChromium({ webgpu: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function run(backend: 'wasm' | 'webgpu'): Promise<PageResult> {
    const { result, errors } = await readPageResult<PageResult>(browser, `${server.url}?backend=${backend}`, { timeoutMs: 150_000 });
    expect(errors).toEqual([]);
    expect(result.error).toBeUndefined();
    console.info(`[grpo browser] ${backend}: ${result.seconds?.toFixed(1)} s in the page; GRPO steps ${result.stepSeconds?.map((x) => x.toFixed(1)).join(', ')} s`);
    return result;
  }

  function expectTrained(r: PageResult): void {
    const { grpo, dpo } = r;
    expect(grpo.losses).toHaveLength(3);
    expect(grpo.losses.every(Number.isFinite)).toBe(true);
    // rewards were recorded at every step, from both functions (the verifier scored every completion)
    expect(grpo.rewards.every((x) => Number.isFinite(x) && x > 0)).toBe(true);
    expect(grpo.goodChars.every((x) => x > 0 && x < 1)).toBe(true);
    expect(grpo.multipleChoice.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(grpo.weightChange).toBeGreaterThan(1e-3);
    // the probe batch (no sampling): the rewarded first tokens gained probability (Node wasm and cpu: +0.101)
    expect(grpo.probeAfter - grpo.probeBefore).toBeGreaterThan(0.05);
    // DPO: log 2 at step 1 (policy == reference), then a lower loss and a positive margin
    expect(dpo.losses[0]).toBeCloseTo(Math.LN2, 5);
    expect(dpo.losses[1]!).toBeLessThan(dpo.losses[0]! - 0.05);
    expect(dpo.margins[1]!).toBeGreaterThan(0);
    expect(dpo.weightChange).toBeGreaterThan(1e-3);
    // no tensor leaks from step to step
    expect(new Set(r.tensorsAfterStep).size).toBe(1);
  }

  it('wasm: GRPO steps with a real reward and DPO steps train the policy', async () => {
    const r = await run('wasm');
    expect(r.backend).toBe('wasm');
    expect(r.choice?.name).toBe('wasm');
    expectTrained(r);
  }, 240_000);

  it.runIf(WEBGPU_MODE.run)('webgpu (navigator.gpu, software adapter allowed): the same steps train, with no synchronous GPU read', async () => {
    const r = await run('webgpu');
    expect(r.backend).toBe('webgpu');
    expect(r.choice?.name).toBe('webgpu');
    expect(r.choice?.adapter).toBeDefined();
    expect(r.syncReads?.gpu, r.syncReads?.firstGpuStack).toBe(0);
    expectTrained(r);
  }, 240_000);
});
