/**
 * Test support for pages run in headless Chromium (Debian's /usr/bin/chromium, or `QUARKMED_CHROMIUM`) through
 * playwright-core: when to run ({@link browserTestMode}), the page bundle ({@link bundlePage}), a localhost server
 * ({@link servePage}), the browser ({@link launchChromium}) and the page's outcome in `window.__result`
 * ({@link readPageResult}). Imported by relative path from packages' and examples' tests; never published.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { builtinModules } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Plugin } from 'esbuild';
import type { Browser } from 'playwright-core';

/** The browser binary (`QUARKMED_CHROMIUM` overrides Debian's). */
export const CHROMIUM = process.env['QUARKMED_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * Whether a browser test runs: `require` (CI sets `QUARKMED_REQUIRE_BROWSER=1`: a missing browser then fails),
 * `run` (Chromium found), or `skip` with the reason.
 */
export type BrowserTestMode = { run: true; kind: 'run' | 'require' } | { run: false; kind: 'skip'; reason: string };

/**
 * The rule every browser test follows: skipped when no Chromium is found, unless `QUARKMED_REQUIRE_BROWSER=1`.
 * With `webgpu: true`, `QUARKMED_SKIP_WEBGPU=1` skips it too (even when the browser is required).
 */
export function browserTestMode(options: { webgpu?: boolean } = {}): BrowserTestMode {
  if (options.webgpu && process.env['QUARKMED_SKIP_WEBGPU'] === '1') return { run: false, kind: 'skip', reason: 'QUARKMED_SKIP_WEBGPU=1' };
  if (process.env['QUARKMED_REQUIRE_BROWSER'] === '1') return { run: true, kind: 'require' };
  if (existsSync(CHROMIUM)) return { run: true, kind: 'run' };
  return { run: false, kind: 'skip', reason: `no Chromium at ${CHROMIUM} (set QUARKMED_CHROMIUM, or QUARKMED_REQUIRE_BROWSER=1 to fail instead)` };
}

/** A suite's title, with the reason appended when `mode` skips it (so the skip says why in the report). */
export function browserSuiteTitle(title: string, mode: BrowserTestMode): string {
  return mode.run ? title : `${title} [skipped: ${mode.reason}]`;
}

/** A Node built-in's stub: `export default {}` and every name the built-in exports, as undefined. */
async function stubSource(specifier: string): Promise<string> {
  const names = Object.keys((await import(specifier)) as object).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
  return `export default {};${names.map((n) => ` export const ${n} = undefined;`).join('')}`;
}

/**
 * Node built-ins in the bundle: an import from a file under `forbidUnder` fails the build (the package's own
 * sources must be browser-safe); others (other packages' sources, behind runtime checks) get a stub.
 */
function nodeBuiltinsPlugin(forbidUnder: string): Plugin {
  const builtins = new Set(builtinModules.map((m) => m.replace(/^node:/, '')));
  return {
    name: 'node-builtins',
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (a) => {
        if (a.importer.startsWith(forbidUnder)) return { errors: [{ text: `${a.importer} imports ${a.path}` }] };
        if (!builtins.has(a.path.slice('node:'.length))) return { errors: [{ text: `${a.importer} imports ${a.path}, not a Node built-in` }] };
        return { path: a.path, namespace: 'stub' };
      });
      b.onLoad({ filter: /.*/, namespace: 'stub' }, async (a) => ({ contents: await stubSource(a.path), loader: 'js' }));
    },
  };
}

/**
 * Bundles the page `entry` (a file path) for the browser with esbuild (ESM, es2022, the `@quarkmed/source`
 * condition so workspace packages come from their sources) and returns the JavaScript. Without
 * `forbidNodeBuiltinsUnder` any Node built-in fails the build; with it, see {@link nodeBuiltinsPlugin}.
 */
export async function bundlePage(entry: string, options: { forbidNodeBuiltinsUnder?: string } = {}): Promise<string> {
  const esbuild = await import('esbuild');
  const built = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outdir: '/',
    logLevel: 'silent',
    conditions: ['@quarkmed/source'],
    plugins: options.forbidNodeBuiltinsUnder === undefined ? [] : [nodeBuiltinsPlugin(options.forbidNodeBuiltinsUnder)],
  });
  const js = built.outputFiles.find((f) => f.path.endsWith('.js'));
  if (!js) throw new Error(`esbuild wrote no .js for ${entry}`);
  return js.text;
}

/** A file the page server sends for a request path (query removed). */
export interface ServedFile {
  file: string;
  contentType: string;
}

/** A running page server: its base URL (ending in `/`) and how to stop it. */
export interface PageServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves, on a free port of 127.0.0.1, `/` (an HTML page titled `title` that loads `/page.js` as a module),
 * `/page.js` (`js`) and whatever `files` maps a path to (when the file exists); anything else is a 404.
 * `headers` (e.g. COOP/COEP) go on every 200.
 */
export async function servePage(
  js: string,
  options: { title: string; headers?: Record<string, string>; files?: (path: string) => ServedFile | undefined },
): Promise<PageServer> {
  const headers = options.headers ?? {};
  const html = `<!doctype html><meta charset="utf-8"><title>${options.title}</title><script type="module" src="/page.js"></script>`;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const served = path === '/' || path === '/page.js' ? undefined : options.files?.(path);
    if (path === '/page.js') res.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(js);
    else if (path === '/') res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(html);
    else if (served && existsSync(served.file)) res.writeHead(200, { ...headers, 'content-type': served.contentType }).end(readFileSync(served.file));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

const COMMON_FLAGS = ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** WebGPU on SwiftShader (a software adapter through ANGLE, on a machine without a GPU). */
export const WEBGPU_FLAGS: readonly string[] = ['--enable-unsafe-webgpu', ...COMMON_FLAGS, '--use-angle=swiftshader', '--enable-features=Vulkan'];
/** No GPU at all. */
export const NO_GPU_FLAGS: readonly string[] = [...COMMON_FLAGS, '--disable-gpu'];

/** Launches {@link CHROMIUM} headless with {@link WEBGPU_FLAGS} (`webgpu: true`) or {@link NO_GPU_FLAGS}. */
export async function launchChromium(options: { webgpu: boolean }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (QUARKMED_REQUIRE_BROWSER=1 requires one; set QUARKMED_CHROMIUM to its path)`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: [...(options.webgpu ? WEBGPU_FLAGS : NO_GPU_FLAGS)], headless: true });
}

/**
 * Opens `url` in a new page of `browser`, waits up to `timeoutMs` for the page to set `window.__result` and
 * returns it with the page errors seen meanwhile; the page is closed.
 */
export async function readPageResult<T>(browser: Browser, url: string, options: { timeoutMs: number }): Promise<{ result: T; errors: string[] }> {
  const page = await browser.newPage();
  try {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, undefined, { timeout: options.timeoutMs });
    const result = (await page.evaluate(() => (window as { __result?: unknown }).__result)) as T;
    return { result, errors };
  } finally {
    await page.close();
  }
}
