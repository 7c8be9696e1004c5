import { cp, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Options } from 'tsup';

/**
 * Files a package reads at run time, copied into `dist/` after each build so that the published tarball needs
 * nothing outside `dist/`: keys are paths relative to the package (the source of truth, e.g. `data/kg-subset`),
 * values paths relative to `dist/` (e.g. `data/kg-subset`). A missing source fails the build, naming it.
 */
export type RuntimeAssets = Record<string, string>;

async function copyAssets(assets: RuntimeAssets): Promise<void> {
  for (const [from, to] of Object.entries(assets)) {
    try {
      await stat(from);
    } catch {
      throw new Error(`tsup.base.ts: runtime asset ${JSON.stringify(from)} does not exist (in ${process.cwd()})`);
    }
    await cp(from, join('dist', to), { recursive: true, force: true, errorOnExist: false });
  }
}

/**
 * The one tsup configuration of every published package: `src/index.ts` (and, for packages with Node-only file I/O, `src/node/index.ts` as `./node`) to ESM + CJS + `.d.ts` with source maps,
 * dependencies left external (Node built-ins always; `external` adds the package's own), `assets` copied into `dist/`.
 * `shims` gives the CommonJS bundles a working `import.meta.url` (from `__filename`); with the neutral platform
 * nothing is injected into the ESM bundles. `splitting` shares modules between entries in both formats (tsup splits
 * ESM by default, not CJS): without it the CommonJS `./node` entry carries its own copy of every class it imports,
 * so an error thrown by `@quarkmed/x/node` would fail `instanceof` against the same class from `@quarkmed/x`.
 */
export function packageConfig(external: (string | RegExp)[], entries: Record<string, string> = { index: 'src/index.ts' }, assets: RuntimeAssets = {}): Options {
  return {
    entry: entries,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    shims: true,
    splitting: true,
    target: 'es2022',
    platform: 'neutral',
    external: [/^node:/, ...external],
    ...(Object.keys(assets).length > 0 ? { onSuccess: () => copyAssets(assets) } : {}),
  };
}
