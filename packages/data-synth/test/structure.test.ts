/**
 * Structure of the package: the main entry bundles for the browser with no Node built-in reachable, the Node-only
 * code is in `src/node/`, there are no import cycles, one "contains Chinese" test, one graph walk, and no raw
 * Error/TypeError/RangeError thrown anywhere in `src/`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

/** Relative imports of a file, resolved to files (type-only imports included: they are cycles for readers too). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\(\s*)'(\.[^']+)'/g)) {
    const base = resolve(dirname(file), m[1]!);
    const hit = [`${base}.ts`, join(base, 'index.ts')].find((p) => sources().includes(p));
    if (hit) out.push(hit);
  }
  return out;
}

describe('package structure', () => {
  it('the main entry bundles for the browser, with no node: import in the module graph', async () => {
    for (const packages of ['external', undefined] as const) {
      const r = await build({ entryPoints: [join(SRC, 'index.ts')], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent', ...(packages ? { packages } : {}) });
      expect(r.errors).toEqual([]);
      const inputs = Object.keys(r.metafile.inputs);
      expect(inputs.filter((p) => p.includes('/src/node/'))).toEqual([]);
      const nodeImports = Object.values(r.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path)).filter((p) => p.startsWith('node:'));
      expect(nodeImports).toEqual([]);
      expect(inputs.length).toBeGreaterThan(50);
    }
  });

  it('Node built-ins are imported only under src/node/', () => {
    const offenders = sources().filter((f) => !f.startsWith(join(SRC, 'node')) && /from '(node:|fs|path|crypto|os|url|readline|zlib)/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });

  it('has no import cycles', () => {
    const files = sources();
    const graph = new Map(files.map((f) => [f, imports(f)]));
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 2) return;
      if (state.get(f) === 1) {
        cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(SRC, p)).join(' → '));
        return;
      }
      state.set(f, 1);
      for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
      state.set(f, 2);
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('one CJK test, one graph walk, and only DataSynthError subclasses are thrown', () => {
    const all = sources().map((f) => [relative(SRC, f), readFileSync(f, 'utf8')] as const);
    expect(all.filter(([, t]) => /Script=Han|\\u4e00|\\u3400|\\u9fff/i.test(t)).map(([f]) => f)).toEqual(['cjk.ts']);
    expect(all.filter(([, t]) => /seen\.has\(n\)/.test(t)).map(([f]) => f)).toEqual(['kg/walk.ts']);
    expect(all.filter(([, t]) => /throw new (Error|TypeError|RangeError|SyntaxError)\(/.test(t)).map(([f]) => f)).toEqual([]);
  });
});
