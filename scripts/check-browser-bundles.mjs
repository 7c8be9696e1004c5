#!/usr/bin/env node
/**
 * Bundles the main entry of every package for the browser (esbuild `--platform=browser --bundle`, every
 * dependency external except the package's own files, sources through the `@quarkmed/source` condition)
 * and fails on any error: a Node built-in (`node:fs`, `path`, ...) reachable from `src/index.ts` is one.
 * The `./node` entries are not checked (they are Node-only by design).
 *
 * Usage: node scripts/check-browser-bundles.mjs [package-dir-name ...]   (exit 1 on any error)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = join(root, 'packages');
const only = process.argv.slice(2);
const NODE_BUILTINS = new Set(builtinModules.map((m) => m.replace(/^node:/, '').split('/')[0]));

/** Packages with a main entry at src/index.ts, in name order. */
const packages = readdirSync(packagesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(packagesDir, d.name, 'package.json')) && existsSync(join(packagesDir, d.name, 'src', 'index.ts')))
  .map((d) => d.name)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

if (only.length > 0 && packages.length !== only.length) {
  const missing = only.filter((n) => !packages.includes(n));
  console.error(`check-browser-bundles: no package with src/index.ts named ${missing.join(', ')}`);
  process.exit(1);
}

let failed = 0;
for (const name of packages) {
  const dir = join(packagesDir, name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const entry = join(dir, 'src', 'index.ts');
  /** Keep everything that is not one of this package's own files out of the bundle. */
  const externalPlugin = {
    name: 'dependencies-external',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        // bare specifiers: dependencies (and, wrongly, Node built-ins) stay external...
        const builtin = /^node:/.test(args.path) || NODE_BUILTINS.has(args.path.split('/')[0]);
        if (builtin) {
          return {
            errors: [
              {
                text: `Node built-in '${args.path}' imported by ${relative(root, args.importer)} is reachable from ${pkg.name}'s main entry (move it to src/node/)`,
              },
            ],
          };
        }
        return { path: args.path, external: true };
      });
    },
  };
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      conditions: ['@quarkmed/source'],
      plugins: [externalPlugin],
      absWorkingDir: dir,
    });
    const bytes = result.outputFiles.reduce((s, f) => s + f.contents.length, 0);
    const warnings = result.warnings.length > 0 ? `, ${result.warnings.length} warning(s)` : '';
    console.log(`ok    ${pkg.name}: ${(bytes / 1024).toFixed(0)} KiB${warnings}`);
  } catch (error) {
    failed++;
    const errors = error?.errors ?? [{ text: String(error) }];
    console.log(`FAIL  ${pkg.name}: ${errors.length} error(s)`);
    for (const e of errors) {
      const where = e.location ? `${relative(root, join(dir, e.location.file))}:${e.location.line}:${e.location.column}: ` : '';
      console.log(`        ${where}${e.text}`);
    }
  }
}
console.log(failed === 0 ? `browser bundles: ${packages.length} package(s) ok` : `browser bundles: ${failed} of ${packages.length} package(s) failed`);
process.exit(failed === 0 ? 0 : 1);
