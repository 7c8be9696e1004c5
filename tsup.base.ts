import type { Options } from 'tsup';

/**
 * The one tsup configuration of every published package: `src/index.ts` (and, for packages with Node-only file I/O, `src/node/index.ts` as `./node`) to ESM + CJS + `.d.ts` with source maps,
 * dependencies left external (Node built-ins always; `external` adds the package's own).
 */
export function packageConfig(external: (string | RegExp)[], entries: Record<string, string> = { index: 'src/index.ts' }): Options {
  return {
    entry: entries,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    external: [/^node:/, ...external],
  };
}
