/**
 * Loads the native kernel addon built at install by `scripts/build-native.mjs`
 * (native/build/quarkmed-native.node) and, when there is none, reads why from native/build/status.json.
 * Node only; `initBackend('native')` imports it lazily through the package's `./node` entry.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NativeAddon, NativeAddonLoad } from '../backends/native/addon';

/** CommonJS builds only; `typeof` guards its use. */
declare const __filename: string | undefined;

const ADDON = join('native', 'build', 'quarkmed-native.node');
const STATUS = join('native', 'build', 'status.json');

/** This module's require (ESM: from import.meta.url; CommonJS: from __filename). */
function localRequire(): NodeJS.Require {
  const metaUrl = (import.meta as { url?: string }).url;
  const base = metaUrl ?? pathToFileURL(typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js')).href;
  return createRequire(base);
}

/** The root folder of the installed @quarkmed/tensor-kernels (the one holding its package.json). */
export function packageRoot(): string {
  return dirname(localRequire().resolve('@quarkmed/tensor-kernels/package.json'));
}

let cached: NativeAddonLoad | undefined;

/**
 * The native addon, or the reason it is unavailable: not built (with the build's recorded reason: no
 * compiler, no headers, a compile error), never built (install scripts not run), or failing to load.
 * The result is cached for the process.
 */
export function loadNativeAddon(): NativeAddonLoad {
  if (cached !== undefined) return cached;
  if (process.env['QUARKMED_NATIVE'] === '0') {
    cached = { reason: 'disabled by QUARKMED_NATIVE=0' };
    return cached;
  }
  try {
    cached = loadNativeAddonFrom(packageRoot());
  } catch (error) {
    cached = { reason: `cannot locate @quarkmed/tensor-kernels (${error instanceof Error ? error.message : String(error)})` };
  }
  return cached;
}

/**
 * Loads the addon of the package installed at `root` (native/build/), uncached: the addon, or why it is
 * unavailable (the build's recorded reason when status.json says it failed).
 *
 * @param root - the package folder (the one holding package.json)
 */
export function loadNativeAddonFrom(root: string): NativeAddonLoad {
  const statusFile = join(root, STATUS);
  let build: Record<string, unknown> = {};
  if (existsSync(statusFile)) {
    try {
      build = JSON.parse(readFileSync(statusFile, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      return { reason: `${statusFile} is not valid JSON (${error instanceof Error ? error.message : String(error)}): rebuild with node scripts/build-native.mjs` };
    }
  }
  const file = join(root, ADDON);
  if (!existsSync(file)) {
    if (build['built'] === false && typeof build['reason'] === 'string') return { reason: `not built: ${build['reason']}` };
    return {
      reason: `not built (${file} missing: the package's install script did not run; run node ${join(root, 'scripts', 'build-native.mjs')})`,
    };
  }
  try {
    // libgomp reads its spin budget when it loads: spin briefly (~10 µs), then sleep, unless the user chose
    // (the default, 300000 spins, burns a core another pool or process needs on a loaded machine)
    if (process.env['GOMP_SPINCOUNT'] === undefined && process.env['OMP_WAIT_POLICY'] === undefined) process.env['GOMP_SPINCOUNT'] = '10000';
    const addon = localRequire()(file) as NativeAddon;
    if (typeof addon.gemm !== 'function' || typeof addon.setHeap !== 'function') {
      return { reason: `${file} is not the quarkmed native addon (no gemm/setHeap): rebuild with node scripts/build-native.mjs --force` };
    }
    return { addon, file, build, cores: Math.max(1, availableParallelism()) };
  } catch (error) {
    return { reason: `${file} does not load (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): rebuild with node scripts/build-native.mjs --force` };
  }
}
