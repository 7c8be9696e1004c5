/**
 * The main entry is browser-safe: it bundles for the browser with no Node built-in reachable (esbuild, the
 * package's dependencies external), and in headless Chromium the ICD-10 verifier works on the shipped data
 * fetched over HTTP (gzip inflated with DecompressionStream). The Chromium part is skipped when no Chromium
 * is found, unless QUARKMED_REQUIRE_BROWSER=1.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSuiteTitle, browserTestMode, bundlePage, launchChromium, readPageResult, servePage, type PageServer } from '../../../../test-support/browser';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const DATA = fileURLToPath(new URL('../../data/', import.meta.url));
const MODE = browserTestMode();

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

describe.runIf(MODE.run)(browserSuiteTitle('the ICD-10 verifier in headless Chromium on the shipped data', MODE), () => {
  let server: PageServer;

  beforeAll(async () => {
    // Other packages' main entries may still import Node built-ins (their owners' work): stubbed; none from this package.
    const js = await bundlePage(fileURLToPath(new URL('./browser/page.ts', import.meta.url)), { forbidNodeBuiltinsUnder: SRC });
    server = await servePage(js, {
      title: 'verifier',
      files: (path) => (/^\/data\/[\w.-]+$/.test(path) ? { file: DATA + path.slice(6), contentType: 'application/octet-stream' } : undefined),
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('loads the gzip code list with fetch + DecompressionStream and verifies codes', async () => {
    const browser = await launchChromium({ webgpu: false });
    try {
      const { result, errors } = await readPageResult<{
        error?: string;
        hasDecompressionStream?: boolean;
        right?: { reward: number; verdict: string };
        near?: { reward: number; verdict: string };
      }>(browser, server.url, { timeoutMs: 60_000 });
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
