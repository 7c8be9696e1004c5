/**
 * End to end, in headless Debian Chromium: the app is built with Vite (its public folder filled by `prepareAssets`
 * with the final checkpoint of `runs/quickstart`, or of the tiny recipe when there is none) and served with
 * COOP/COEP. The chat page answers a question on wasm (the default here: the only WebGPU adapter is software) with
 * streamed tokens and numbered sources, and on WebGPU (`?backend=webgpu`, SwiftShader) streams tokens until Stop
 * aborts it; without the WebGPU flag the page reports the wasm fallback; the train page trains a tiny Llama and the
 * loss falls. Each saves a screenshot under `test-results/`.
 *
 * Skipped without Chromium unless QUARKMED_REQUIRE_BROWSER=1.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareAssets, type PreparedAssets } from '../scripts/prepare-assets';
import { launchChromium, NO_WEBGPU_FLAGS, RUN_BROWSER_TESTS, WEBGPU_FLAGS } from './chromium';
import { serveStatic, type StaticServer } from './static-server';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(EXAMPLE, '..', '..');
const RESULTS = join(EXAMPLE, 'test-results');

describe.runIf(RUN_BROWSER_TESTS)('examples/webgpu-browser in headless Chromium', () => {
  let work: string;
  let server: StaticServer;
  let browser: Browser;
  let assets: PreparedAssets;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'webgpu-browser-e2e-'));
    const publicDir = join(work, 'public');
    // WEBGPU_BROWSER_E2E_RUN: a recipe run directory to test with instead of runs/quickstart (or the tiny recipe).
    const run = process.env['WEBGPU_BROWSER_E2E_RUN'];
    assets = await prepareAssets({ repoRoot: REPO, publicDir, ...(run ? { run } : {}) });
    const { build } = await import('vite');
    await build({ root: EXAMPLE, configFile: join(EXAMPLE, 'vite.config.ts'), publicDir, logLevel: 'error', build: { outDir: join(work, 'dist'), emptyOutDir: true } });
    server = await serveStatic(join(work, 'dist'));
    browser = await launchChromium(WEBGPU_FLAGS);
    await mkdir(RESULTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Opens a page and waits until it is ready (or failed); page errors are collected. */
  async function open(b: Browser, path: string): Promise<{ page: Page; errors: string[] }> {
    const page = await b.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url + path);
    await page.waitForFunction(() => document.body.dataset['state'] !== 'loading', undefined, { timeout: 120_000 });
    const error = await page.locator('#error').textContent();
    expect(await page.evaluate(() => document.body.dataset['state']), `page error: ${error}`).toBe('ready');
    return { page, errors };
  }

  const text = async (page: Page, selector: string): Promise<string> => (await page.locator(selector).textContent()) ?? '';
  const state = (page: Page): Promise<string | undefined> => page.evaluate(() => document.body.dataset['state']);

  it('chat (default backend: wasm, the software WebGPU adapter refused): weights load with progress, tokens stream, sources are numbered', async () => {
    const { page, errors } = await open(browser, '');
    // Backend: the fallback and its reason are reported.
    expect(await page.evaluate(() => document.body.dataset['backend'])).toBe('wasm');
    expect(await page.evaluate(() => document.body.dataset['fallback'])).toMatch(/no hardware GPU adapter/);
    // COOP/COEP made the page cross-origin isolated, so wasm runs with threads.
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(await text(page, '#backend')).toMatch(/^wasm · \d+ threads?, SIMD · fallback from webgpu: .*no hardware GPU adapter/);
    // The progress bar reached the manifest's total.
    const total = assets.manifest.files.reduce((a, f) => a + f.bytes, 0);
    expect(await page.evaluate(() => [(document.getElementById('weights-progress') as HTMLProgressElement).value, (document.getElementById('weights-progress') as HTMLProgressElement).max])).toEqual([total, total]);
    expect(await text(page, '#model-info')).toContain(`stage ${assets.manifest.stage} of ${assets.manifest.run}`);

    await page.fill('#question', 'Is C-reactive protein useful in diagnosing acute appendicitis in elderly patients?');
    await page.fill('#max-new-tokens', '48');
    await page.click('#ask');
    // Tokens appear while generation is still running (streamed, not all at the end).
    await page.waitForFunction(() => document.body.dataset['state'] === 'generating' && Number(document.getElementById('answer')!.dataset['tokens']) >= 1, undefined, { timeout: 60_000, polling: 5 });
    await page.waitForFunction(() => document.body.dataset['state'] !== 'generating', undefined, { timeout: 120_000 });
    expect(await state(page)).toBe('ready');
    const answer = page.locator('#answer');
    const tokens = Number(await answer.getAttribute('data-tokens'));
    const finish = await answer.getAttribute('data-finish');
    expect(tokens).toBeGreaterThan(0);
    expect(finish === 'length' ? tokens === 48 : finish === 'stop').toBe(true);
    // Sources: numbered [1..n] passages from the shipped corpus, with their licence.
    const sources = page.locator('#sources li');
    const n = await sources.count();
    expect(n).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < n; i++) {
      expect(await sources.nth(i).locator('.mark').textContent()).toBe(`[${i + 1}] `);
      expect(await sources.nth(i).locator('.meta').first().textContent()).toMatch(/licence (MIT|Apache-2\.0)/);
    }
    expect((await sources.first().textContent())!.toLowerCase()).toContain('appendicitis');
    // The verdict reports exactly the [n] the model's own text contains.
    const modelText = (await answer.textContent()) ?? '';
    const citedInText = [...new Set([...modelText.matchAll(/[[【]\s*(\d+)\s*[\]】]/g)].map((m) => m[1]))].join(',');
    expect(await page.locator('#citation-verdict').getAttribute('data-cited')).toBe(citedInText);
    expect(await text(page, '#citation-verdict')).toMatch(citedInText === '' ? /^The model cited no passage/ : /^The model cited \[/);
    await page.screenshot({ path: join(RESULTS, 'chat-wasm.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('chat on WebGPU (?backend=webgpu, SwiftShader): tokens stream and Stop aborts generation', async () => {
    const { page, errors } = await open(browser, '?backend=webgpu');
    expect(await page.evaluate(() => document.body.dataset['backend'])).toBe('webgpu');
    expect(await text(page, '#backend')).toMatch(/^webgpu · adapter .*\(software rasteriser: slow\)$/);
    await page.fill('#max-new-tokens', '64');
    await page.click('#ask');
    await page.waitForFunction(() => Number(document.getElementById('answer')!.dataset['tokens']) >= 2, undefined, { timeout: 180_000, polling: 20 });
    expect(await state(page)).toBe('generating');
    await page.click('#stop');
    await page.waitForFunction(() => document.body.dataset['state'] !== 'generating', undefined, { timeout: 60_000 });
    const answer = page.locator('#answer');
    expect(await answer.getAttribute('data-finish')).toBe('abort');
    const tokens = Number(await answer.getAttribute('data-tokens'));
    expect(tokens).toBeGreaterThanOrEqual(2);
    expect(tokens).toBeLessThan(64);
    expect(await text(page, '#gen-status')).toMatch(/^stopped \(abort\)/);
    expect(await page.locator('#sources li').count()).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: join(RESULTS, 'chat-webgpu-stopped.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('without --enable-unsafe-webgpu, ?backend=webgpu falls back to wasm and says why', async () => {
    const plain = await launchChromium(NO_WEBGPU_FLAGS);
    try {
      const { page, errors } = await open(plain, '?backend=webgpu');
      expect(await page.evaluate(() => document.body.dataset['backend'])).toBe('wasm');
      expect(await page.evaluate(() => document.body.dataset['fallback'])).toMatch(/^WebGPU unavailable: /);
      await page.screenshot({ path: join(RESULTS, 'chat-no-webgpu-fallback.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await plain.close();
    }
  }, 180_000);

  it('train: a tiny Llama trains in the page and its loss falls (seed 1, 12 steps)', async () => {
    const { page, errors } = await open(browser, 'train.html?steps=12&seed=1');
    await page.click('#start');
    await page.waitForFunction(() => ['done', 'stopped', 'error'].includes(document.body.dataset['state'] ?? ''), undefined, { timeout: 240_000 });
    expect(await text(page, '#error')).toBe('');
    expect(await state(page)).toBe('done');
    expect(await page.locator('#step').getAttribute('data-value')).toBe('12');
    const losses = JSON.parse((await page.locator('#plot').getAttribute('data-losses')) ?? '[]') as number[];
    expect(losses).toHaveLength(12);
    expect(Number(await page.locator('#first-loss').getAttribute('data-value'))).toBe(losses[0]);
    expect(Number(await page.locator('#last-loss').getAttribute('data-value'))).toBe(losses[11]);
    const first = losses[0]!;
    const lastThree = (losses[9]! + losses[10]! + losses[11]!) / 3;
    const uniform = Number(await text(page, '#uniform-loss'));
    // Starts at the trivial baseline (the uniform distribution, ln V nats per token) and ends well below it.
    expect(Math.abs(first - uniform)).toBeLessThan(0.3);
    expect(lastThree).toBeLessThan(first - 0.5);
    expect(lastThree).toBeLessThan(uniform - 0.5);
    // uPlot drew the chart.
    expect(await page.locator('#plot canvas').count()).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: join(RESULTS, 'train.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});
