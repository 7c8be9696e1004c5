/**
 * Browser smoke test: bundles `page.ts` with esbuild, serves it on 127.0.0.1 and opens it in headless
 * Chromium (Debian's /usr/bin/chromium, or QUARKMED_CHROMIUM) with WebGPU on SwiftShader; the page runs
 * initBackend('webgpu') and a matmul.
 *
 * Skipped when no Chromium is found, unless QUARKMED_REQUIRE_BROWSER=1 (then a missing browser fails).
 * QUARKMED_SKIP_WEBGPU=1 skips it too.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.QUARKMED_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.QUARKMED_REQUIRE_BROWSER === '1';
const RUN = process.env.QUARKMED_SKIP_WEBGPU !== '1' && (REQUIRED || existsSync(CHROMIUM));

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

describe.runIf(RUN)('webgpu backend in headless Chromium', () => {
  let server: Server;
  let url: string;

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
    });
    const js = built.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    const html = '<!doctype html><meta charset="utf-8"><title>tensor-kernels webgpu</title><script type="module" src="/page.js"></script>';
    server = createServer((req, res) => {
      if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it("initBackend('webgpu') starts on navigator.gpu and a matmul is right", async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, undefined, { timeout: 60_000 });
      const result = (await page.evaluate(() => (window as { __result?: unknown }).__result)) as {
        error?: string;
        backend?: string;
        values?: number[];
        choice?: { name: string; reason: string; adapter?: { software: boolean } };
      };
      expect(errors).toEqual([]);
      expect(result.error).toBeUndefined();
      expect(result.backend).toBe('webgpu');
      expect(result.choice?.name).toBe('webgpu');
      expect(result.choice?.adapter).toBeDefined();
      expect(result.values).toEqual([58, 64, 139, 154]);
    } finally {
      await browser.close();
    }
  });
});
