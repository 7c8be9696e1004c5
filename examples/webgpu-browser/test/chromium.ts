/**
 * Headless Debian Chromium for the end-to-end tests, driven by playwright-core, with the flags that give
 * `navigator.gpu` a software adapter here (SwiftShader through ANGLE; the same as tensor-kernels' browser test).
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** The browser binary (`QUARKMED_CHROMIUM` overrides Debian's). */
export const CHROMIUM = process.env['QUARKMED_CHROMIUM'] ?? '/usr/bin/chromium';
/** CI sets `QUARKMED_REQUIRE_BROWSER=1`: a missing browser then fails instead of skipping. */
export const BROWSER_REQUIRED = process.env['QUARKMED_REQUIRE_BROWSER'] === '1';
/** Whether the browser tests run. */
export const RUN_BROWSER_TESTS = BROWSER_REQUIRED || existsSync(CHROMIUM);

const COMMON_FLAGS = ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** WebGPU on SwiftShader. */
export const WEBGPU_FLAGS = [...COMMON_FLAGS, '--enable-unsafe-webgpu', '--use-angle=swiftshader', '--enable-features=Vulkan'];
/** No WebGPU flag: Debian's Chromium on Linux then gives no adapter. */
export const NO_WEBGPU_FLAGS = COMMON_FLAGS;

/** Launches Chromium with `args`. */
export async function launchChromium(args: readonly string[]): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: [...args], headless: true });
}
