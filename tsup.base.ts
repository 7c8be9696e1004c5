import type { Options } from 'tsup';

/**
 * The one tsup configuration of every published package: `src/index.ts` to ESM + CJS + `.d.ts` with source maps,
 * dependencies left external (Node built-ins always; `external` adds the package's own).
 */
export function packageConfig(external: (string | RegExp)[]): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    external: [/^node:/, ...external],
  };
}
