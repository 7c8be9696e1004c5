/**
 * Browser smoke test: bundles `page.ts` with esbuild, serves it on 127.0.0.1 and opens it in headless
 * Chromium (Debian's /usr/bin/chromium, or QUARKMED_CHROMIUM) with WebGPU on SwiftShader; the page runs
 * initBackend('webgpu') and a matmul.
 *
 * Skipped when no Chromium is found, unless QUARKMED_REQUIRE_BROWSER=1 (then a missing browser fails).
 * QUARKMED_SKIP_WEBGPU=1 skips it too.
 */
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSuiteTitle, browserTestMode, bundlePage, launchChromium, readPageResult, servePage, type PageServer } from '../../../../test-support/browser';

const MODE = browserTestMode({ webgpu: true });

describe.runIf(MODE.run)(browserSuiteTitle('webgpu backend in headless Chromium', MODE), () => {
  let server: PageServer;

  beforeAll(async () => {
    const js = await bundlePage(fileURLToPath(new URL('./page.ts', import.meta.url)));
    server = await servePage(js, { title: 'tensor-kernels webgpu' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("initBackend('webgpu') starts on navigator.gpu and a matmul is right", async () => {
    const browser: Browser = await launchChromium({ webgpu: true });
    try {
      const { result, errors } = await readPageResult<{
        error?: string;
        backend?: string;
        values?: number[];
        choice?: { name: string; reason: string; adapter?: { software: boolean } };
      }>(browser, server.url, { timeoutMs: 60_000 });
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
