/**
 * The main entry is browser-safe: it bundles for the browser with no Node built-in reachable (esbuild, the
 * package's dependencies external), and in headless Chromium the ICD-10 verifier works on the shipped data
 * fetched over HTTP (gzip inflated with DecompressionStream). The Chromium part is skipped when no Chromium
 * is found, unless QUARKMED_REQUIRE_BROWSER=1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const DATA = fileURLToPath(new URL('../../data/', import.meta.url));
const CHROMIUM = process.env.QUARKMED_CHROMIUM ?? '/usr/bin/chromium';
const RUN_BROWSER = process.env.QUARKMED_REQUIRE_BROWSER === '1' || existsSync(CHROMIUM);

describe('browser-safe main entry', () => {
  it('bundles for the browser with every Node built-in unresolved: no errors, no node: import, nothing from src/node', async () => {
    const esbuild = await import('esbuild');
    const built = await esbuild.build({
      entryPoints: [SRC + 'index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      external: ['@quarkmed/*', '@tensorflow/*'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(built.errors).toEqual([]);
    const js = built.outputFiles[0]!.text;
    expect(js).not.toMatch(/from\s*["']node:|require\(["']node:|import\(["']node:/);
    const inputs = Object.keys(built.metafile.inputs);
    expect(inputs.some((p) => p.includes('src/icd10/data-files.ts'))).toBe(true);
    expect(inputs.filter((p) => p.includes('src/node/'))).toEqual([]);
  });

  it('the node entry is where the file-system code went (it does import Node built-ins)', async () => {
    const esbuild = await import('esbuild');
    const r = await esbuild.build({ entryPoints: [SRC + 'node/index.ts'], bundle: true, platform: 'browser', format: 'esm', external: ['@quarkmed/*', '@tensorflow/*'], write: false, logLevel: 'silent' }).catch((e: { errors: { text: string }[] }) => e);
    expect('errors' in r ? r.errors.map((e) => e.text).join('\n') : '').toMatch(/Could not resolve "node:fs"/);
  });
});

describe.runIf(RUN_BROWSER)('the ICD-10 verifier in headless Chromium on the shipped data', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const esbuild = await import('esbuild');
    const stubs = new Set<string>();
    const built = await esbuild.build({
      entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
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
          // Other packages' main entries may still import Node built-ins (their owners' work): stub those, and
          // fail on any import of a built-in from this package's sources.
          name: 'node-builtins',
          setup(b) {
            b.onResolve({ filter: /^node:/ }, (a) => {
              if (a.importer.startsWith(SRC)) return { errors: [{ text: `${a.importer} imports ${a.path}` }] };
              stubs.add(a.path);
              return { path: a.path, namespace: 'stub' };
            });
            b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default {}; export const randomBytes = undefined, join = undefined, dirname = undefined, basename = undefined, open = undefined, rename = undefined, rm = undefined, stat = undefined, mkdir = undefined, readFile = undefined, readdir = undefined, appendFile = undefined, writeFile = undefined;', loader: 'js' }));
          },
        },
      ],
    });
    const js = built.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    const html = '<!doctype html><meta charset="utf-8"><title>verifier</title><script type="module" src="/page.js"></script>';
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      if (path === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      else if (path === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      else if (/^\/data\/[\w.-]+$/.test(path) && existsSync(DATA + path.slice(6))) res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(DATA + path.slice(6)));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('loads the gzip code list with fetch + DecompressionStream and verifies codes', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu'], headless: true });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, undefined, { timeout: 60_000 });
      const result = (await page.evaluate(() => (window as { __result?: unknown }).__result)) as {
        error?: string;
        hasDecompressionStream?: boolean;
        right?: { reward: number; verdict: string };
        near?: { reward: number; verdict: string };
      };
      expect(errors).toEqual([]);
      expect(result.error).toBeUndefined();
      expect(result.hasDecompressionStream).toBe(true);
      expect(result.right).toMatchObject({ reward: 1, verdict: 'correct' });
      expect(result.near).toMatchObject({ reward: 0.5, verdict: 'partial' });
    } finally {
      await browser.close();
    }
  });
});
