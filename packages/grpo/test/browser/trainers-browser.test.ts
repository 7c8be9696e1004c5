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
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from './scenario';
import type { SyncReadCounts } from '../helpers/gpu-sync-reads';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const CHROMIUM = process.env.QUARKMED_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.QUARKMED_REQUIRE_BROWSER === '1';
const RUN = REQUIRED || existsSync(CHROMIUM);
const SKIP_WEBGPU = process.env.QUARKMED_SKIP_WEBGPU === '1';

const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
];

type PageResult = ScenarioResult & { error?: string; choice?: { name: string; adapter?: { software: boolean } }; syncReads?: SyncReadCounts; seconds: number };

describe.runIf(RUN)('GRPO and DPO trainers in headless Chromium', () => {
  let server: Server;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    const esbuild = await import('esbuild');
    const built = await esbuild.build({
      entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      outdir: '/',
      logLevel: 'silent',
      conditions: ['@quarkmed/source'],
      plugins: [
        {
          // Other packages' sources may import Node built-ins behind runtime checks: stub those; this package's
          // sources must import none.
          name: 'node-builtins',
          setup(b) {
            b.onResolve({ filter: /^node:/ }, (a) => {
              if (a.importer.startsWith(SRC)) return { errors: [{ text: `${a.importer} imports ${a.path}` }] };
              return { path: a.path, namespace: 'stub' };
            });
            b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default {};', loader: 'js' }));
          },
        },
      ],
    });
    const js = built.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    const wasmDist = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
    const html = '<!doctype html><meta charset="utf-8"><title>grpo trainers</title><script type="module" src="/page.js"></script>';
    server = createServer((req, res) => {
      const p = (req.url ?? '/').split('?')[0]!;
      const wasm = /\/(tfjs-backend-wasm[a-z-]*\.wasm)$/.exec(p);
      if (p === '/page.js') res.writeHead(200, { ...isolation, 'content-type': 'text/javascript' }).end(js);
      else if (p === '/') res.writeHead(200, { ...isolation, 'content-type': 'text/html' }).end(html);
      else if (wasm && existsSync(path.join(wasmDist, wasm[1]!))) res.writeHead(200, { ...isolation, 'content-type': 'application/wasm' }).end(readFileSync(path.join(wasmDist, wasm[1]!)));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function run(backend: 'wasm' | 'webgpu'): Promise<PageResult> {
    const page = await browser.newPage();
    try {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${url}?backend=${backend}`);
      await page.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, undefined, { timeout: 150_000 });
      const result = (await page.evaluate(() => (window as { __result?: unknown }).__result)) as PageResult;
      expect(errors).toEqual([]);
      expect(result.error).toBeUndefined();
      console.info(`[grpo browser] ${backend}: ${result.seconds?.toFixed(1)} s in the page; GRPO steps ${result.stepSeconds?.map((x) => x.toFixed(1)).join(', ')} s`);
      return result;
    } finally {
      await page.close();
    }
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

  it.skipIf(SKIP_WEBGPU)('webgpu (navigator.gpu, software adapter allowed): the same steps train, with no synchronous GPU read', async () => {
    const r = await run('webgpu');
    expect(r.backend).toBe('webgpu');
    expect(r.choice?.name).toBe('webgpu');
    expect(r.choice?.adapter).toBeDefined();
    expect(r.syncReads?.gpu, r.syncReads?.firstGpuStack).toBe(0);
    expectTrained(r);
  }, 240_000);
});
